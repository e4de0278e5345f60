import "server-only";
import { and, eq } from "drizzle-orm";
import { inTransaction } from "../core/context";
import { ConflictError, InvalidError, NotFoundError } from "../core/errors";
import { featureViews, materializationRuns } from "../db/schema";
import { defineOperation } from "../operations/define";
import { listFeatureViews } from "../registry/feature-views/get";
import { insertRuns } from "./create-runs";
import * as out from "./outputs";
import type { Run } from "./run-row";
import { GetRunInput } from "./schemas";

/** A run is named as for getRun: its project and id. */
export const RetryRunInput = GetRunInput;
export type RetryRunInput = GetRunInput;

/**
 * Retries a failed run: a new queued run of the same view, kind and window, with `retry_of`
 * naming the run it retries, audited as materialization.retry. The failed run stays as it was
 * (its error and attempts are the record of what happened); the new run has a full set of
 * attempts and reads the view's current version, as any new run does. A run is retried at most
 * once (retry the retry instead): the failed row is locked while this is checked, so two clicks
 * make one retry. The job is sent after commit. The watermark rules are a new run's: it moves
 * only when the retry succeeds, and never back.
 */
export const retryRunOp = defineOperation({
  name: "jobs.retry",
  summary: "Run a failed run's window again, as a new run that names the one it retries.",
  kind: "mutation",
  writesRegistry: false,
  access: "jobs.run",
  input: RetryRunInput,
  output: out.Run,
  doors: ["trpc", "rest", "cli"],
  run: async ({ ctx, input: { project, runId }, project: p }): Promise<Run> => {
    const run = await inTransaction(ctx, async (tx) => {
      const [failed] = await tx.db
        .select({
          status: materializationRuns.status,
          kind: materializationRuns.kind,
          startTs: materializationRuns.startTs,
          endTs: materializationRuns.endTs,
          featureView: featureViews.name,
        })
        .from(materializationRuns)
        .innerJoin(featureViews, eq(featureViews.id, materializationRuns.featureViewId))
        .where(and(eq(materializationRuns.projectId, p.id), eq(materializationRuns.id, runId)))
        .for("update", { of: materializationRuns });
      if (!failed)
        throw new NotFoundError(
          `runId: materialization run ${runId} not found in project "${project}"`,
          "runId",
        );
      if (failed.status !== "failed")
        throw new ConflictError(
          `runId: materialization run ${runId} is ${failed.status}; only a failed run can be retried`,
          "runId",
        );
      const [earlier] = await tx.db
        .select({ id: materializationRuns.id })
        .from(materializationRuns)
        .where(eq(materializationRuns.retryOf, runId))
        .limit(1);
      if (earlier)
        throw new ConflictError(
          `runId: materialization run ${runId} was already retried by run ${earlier.id}; retry that one`,
          "runId",
        );
      const view = (await listFeatureViews({ ctx: tx, input: { project } })).find(
        (v) => v.name === failed.featureView,
      );
      if (!view) throw new NotFoundError(`runId: feature view "${failed.featureView}" not found`, "runId");
      if (!view.online)
        throw new InvalidError(
          `runId: feature view "${view.name}" is no longer online (online = false); nothing to retry`,
          "runId",
        );
      const [created] = await insertRuns(tx, project, failed.kind, [
        { view, startTs: failed.startTs, endTs: failed.endTs, retryOf: runId },
      ]);
      if (!created) throw new Error(`retrying run ${runId} inserted no run`);
      return created;
    });
    await ctx.jobs.enqueueMaterialization(run.id);
    return run;
  },
});
export const retryRun = retryRunOp.call;
