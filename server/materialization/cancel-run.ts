import "server-only";
import { and, eq } from "drizzle-orm";
import { recordAudit } from "../audit/record";
import { actorLabel, inTransaction } from "../core/context";
import { ConflictError, NotFoundError } from "../core/errors";
import { featureViews, materializationRuns } from "../db/schema";
import { defineOperation } from "../operations/define";
import * as out from "./outputs";
import { writeEntries } from "./run-log";
import { isTerminal, loadRuns, type Run } from "./run-row";
import { GetRunInput } from "./schemas";

/** A run is named as for getRun: its project and id. */
export const CancelRunInput = GetRunInput;
export type CancelRunInput = GetRunInput;

/**
 * Cancels a queued, running or retrying run (one waiting for its next attempt). The row is locked
 * while its status is checked and changed, so a cancel never races a worker finishing the run; the
 * audit entry commits with the change. The queue's job is cancelled after commit (a job waiting
 * for its retry never runs); a job already running sees the status at its next batch boundary and
 * stops there without moving the watermark (run-materialization.ts).
 */
export const cancelRunOp = defineOperation({
  name: "jobs.cancel",
  summary: "Cancel a queued, running or retrying run; a running one stops at its next batch.",
  kind: "mutation",
  writesRegistry: false,
  access: "jobs.run",
  input: CancelRunInput,
  output: out.Run,
  doors: ["trpc", "rest", "cli"],
  run: async ({ ctx, input: { project, runId }, project: p }): Promise<Run> => {
    await inTransaction(ctx, async (tx) => {
      const [locked] = await tx.db
        .select({ status: materializationRuns.status, featureView: featureViews.name })
        .from(materializationRuns)
        .innerJoin(featureViews, eq(featureViews.id, materializationRuns.featureViewId))
        .where(and(eq(materializationRuns.projectId, p.id), eq(materializationRuns.id, runId)))
        .for("update", { of: materializationRuns });
      if (!locked)
        throw new NotFoundError(
          `runId: materialization run ${runId} not found in project "${project}"`,
          "runId",
        );
      if (isTerminal(locked.status))
        throw new ConflictError(
          `runId: materialization run ${runId} is already ${locked.status}; only a queued, running or retrying run can be cancelled`,
          "runId",
        );
      await tx.db
        .update(materializationRuns)
        .set({ status: "cancelled", finishedAt: new Date(), error: `cancelled by ${actorLabel(ctx.actor)}` })
        .where(eq(materializationRuns.id, runId));
      await writeEntries(tx.db, runId, [
        {
          level: "warn",
          step: "cancelled",
          message: `cancelled by ${actorLabel(ctx.actor)} while ${locked.status}`,
        },
      ]);
      await recordAudit(tx, {
        project: { id: p.id, name: p.name },
        action: "materialization.cancel",
        objectType: "feature_view",
        objectName: locked.featureView,
        before: { runId, status: locked.status },
        after: { runId, status: "cancelled" },
      });
    });
    await ctx.jobs.cancelMaterialization(runId);
    const [run] = await loadRuns(ctx.db, [runId]);
    if (!run) throw new NotFoundError(`runId: materialization run ${runId} not found`, "runId");
    return run;
  },
});
export const cancelRun = cancelRunOp.call;
