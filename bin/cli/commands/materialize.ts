import { env } from "../../../server/env";
import { startIncrementalMaterialization, startMaterialization } from "../../../server/materialization";
import { parseCommandArgs, parseList, parseTimestamp } from "../args";
import { withSession } from "../session";
import { followRuns } from "./follow-runs";

const OPTIONS = { strings: ["views", "project"] };

/** `quiver materialize <start> <end> [--views a,b] [--project p]` */
export async function materializeCommand(argv: string[]): Promise<number> {
  const { positionals, values } = parseCommandArgs(argv, {
    ...OPTIONS,
    positionals: [2, 2],
    names: "<start> <end>",
  });
  const [start = "", end = ""] = positionals;
  const input = {
    project: String(values.project ?? env().QUIVER_DEFAULT_PROJECT),
    featureViews: parseList(values.views, "--views"),
    startTs: parseTimestamp(start, "<start>"),
    endTs: parseTimestamp(end, "<end>"),
  };
  return withSession(async (s) => {
    const runs = await startMaterialization({ ctx: s.ctx, input });
    await s.ensureWorker();
    return followRuns(s.ctx, runs);
  });
}

/** `quiver materialize-incremental <end> [--views a,b] [--project p]` */
export async function materializeIncrementalCommand(argv: string[]): Promise<number> {
  const { positionals, values } = parseCommandArgs(argv, { ...OPTIONS, positionals: [1, 1], names: "<end>" });
  const input = {
    project: String(values.project ?? env().QUIVER_DEFAULT_PROJECT),
    featureViews: parseList(values.views, "--views"),
    endTs: parseTimestamp(positionals[0] ?? "", "<end>"),
  };
  return withSession(async (s) => {
    const runs = await startIncrementalMaterialization({ ctx: s.ctx, input });
    await s.ensureWorker();
    return followRuns(s.ctx, runs);
  });
}
