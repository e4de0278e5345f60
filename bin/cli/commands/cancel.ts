import { env } from "../../../server/env";
import { cancelRun } from "../../../server/materialization";
import { parseCommandArgs } from "../args";
import { log } from "../log";
import { withSession } from "../session";

/** `quiver cancel <runId> [--project p]`: cancels a queued or running materialization run. */
export async function cancelCommand(argv: string[]): Promise<number> {
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
    const run = await cancelRun({ ctx: s.ctx, input });
    // A job already running notices at its next batch boundary, so it may write a batch more.
    log(`cancelled run ${run.id} of ${run.project}/${run.featureView} (${run.rowsWritten} rows written)`);
    return 0;
  });
}
