import { env } from "../../../server/env";
import { retryRun } from "../../../server/materialization";
import { parseCommandArgs } from "../args";
import { log } from "../log";
import { withSession } from "../session";
import { followRuns } from "./follow-runs";

/**
 * `quiver retry <runId> [--project p]`: queues a new run over a failed run's window (linked to it)
 * and follows it like `quiver materialize`, running the job in this process when no app or worker
 * serves the database.
 */
export async function retryCommand(argv: string[]): Promise<number> {
  const { positionals, values } = parseCommandArgs(argv, {
    strings: ["project"],
    positionals: [1, 1],
    names: "<runId>",
  });
  const input = {
    project: String(values.project ?? env().QUIVER_DEFAULT_PROJECT),
    runId: positionals[0] ?? "",
  };
  return withSession(async (s) => {
    const run = await retryRun({ ctx: s.ctx, input });
    log(`retrying run ${input.runId} as run ${run.id}`);
    await s.ensureWorker();
    return followRuns(s.ctx, [run]);
  });
}
