import "server-only";
import type { Ctx } from "../core/context";

/**
 * Asks for a succeeded run's statistics (a job on the "feature-statistics" queue). Never throws: a
 * run's success does not depend on its statistics, which a later run or "Compute now" can redo.
 */
export async function requestRunStatistics(ctx: Ctx, runId: string): Promise<void> {
  try {
    await ctx.jobs.enqueueStatistics({ runId });
  } catch (e) {
    ctx.log.warn({ err: e, runId }, "could not queue the run's statistics");
  }
}
