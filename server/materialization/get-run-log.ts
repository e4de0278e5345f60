import "server-only";
import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import { NotFoundError } from "../core/errors";
import { materializationRunLog, materializationRuns } from "../db/schema";
import { defineOperation } from "../operations/define";
import * as out from "./outputs";
import { GetRunInput } from "./schemas";

/** A run's log, oldest first (at most RUN_LOG_CAP batch entries plus its milestones: run-log.ts). */
export const getRunLogOp = defineOperation({
  name: "jobs.log",
  summary:
    "One materialization run's log: its window per attempt, sampled batches, retries, errors and totals.",
  kind: "query",
  // Whoever may read the run may read its log: entries are as safe to show as the run's error.
  access: "definitions.read",
  input: GetRunInput,
  output: z.array(out.RunLogEntry),
  run: async ({ ctx, input: { project, runId }, project: p }) => {
    const [run] = await ctx.db
      .select({ id: materializationRuns.id })
      .from(materializationRuns)
      .where(and(eq(materializationRuns.projectId, p.id), eq(materializationRuns.id, runId)));
    if (!run)
      throw new NotFoundError(
        `runId: materialization run ${runId} not found in project "${project}"`,
        "runId",
      );
    // Served by materialization_run_log_run_seq_idx.
    return ctx.db
      .select({
        seq: materializationRunLog.seq,
        at: materializationRunLog.at,
        level: materializationRunLog.level,
        step: materializationRunLog.step,
        message: materializationRunLog.message,
        data: materializationRunLog.data,
      })
      .from(materializationRunLog)
      .where(eq(materializationRunLog.runId, runId))
      .orderBy(asc(materializationRunLog.seq));
  },
});
export const getRunLog = getRunLogOp.call;
