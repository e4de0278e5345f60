import "server-only";
import type PgBoss from "pg-boss";
import type { Ctx, JobQueue } from "../core/context";
import { executeTransformationRunOp } from "./runs";

/**
 * The transformation run queue on pg-boss. A job's id is its run's id, so a double enqueue
 * collapses; the job carries only that id. Failed jobs are retried (the run row says "retrying")
 * up to TRANSFORM_RETRY_LIMIT times with a growing delay.
 */
export const TRANSFORM_JOB = "transform";
export const TRANSFORM_RETRY_LIMIT = 2;
const TRANSFORM_QUEUE = {
  name: TRANSFORM_JOB,
  policy: "standard",
  retryLimit: TRANSFORM_RETRY_LIMIT,
  retryDelay: 10,
  retryBackoff: true,
  expireInSeconds: 60 * 60,
} as const;

export async function createTransformationQueue(boss: PgBoss): Promise<void> {
  await boss.createQueue(TRANSFORM_JOB, TRANSFORM_QUEUE);
  await boss.updateQueue(TRANSFORM_JOB, TRANSFORM_QUEUE);
}

export function transformationJobs(
  boss: PgBoss,
  policy: { retryDelay?: number } = {},
): Pick<JobQueue, "enqueueTransformationRun"> {
  return {
    async enqueueTransformationRun(runId) {
      await boss.send(TRANSFORM_JOB, { runId }, { id: runId, ...TRANSFORM_QUEUE, ...policy });
    },
  };
}

export async function startTransformationWorker(opts: {
  boss: PgBoss;
  ctxFor: () => Ctx;
  batchSize?: number;
  heartbeatTimeoutSeconds?: number;
}): Promise<{ stop(): Promise<void> }> {
  const { boss, ctxFor } = opts;
  const id = await boss.work<{ runId?: unknown }>(
    TRANSFORM_JOB,
    { batchSize: 1, includeMetadata: true },
    async (jobs) => {
      for (const job of jobs) {
        const runId = job.data?.runId;
        if (typeof runId !== "string") throw new Error(`transform job ${job.id} carries no run id`);
        const base = ctxFor();
        const run = await executeTransformationRunOp.call({
          ctx: { ...base, log: base.log.child({ job: TRANSFORM_JOB, runId }) },
          input: {
            runId,
            lastAttempt: job.retryCount >= job.retryLimit,
            batchSize: opts.batchSize,
            heartbeatTimeoutSeconds: opts.heartbeatTimeoutSeconds,
          },
        });
        return { status: run.status, rowsWritten: run.rowsWritten };
      }
    },
  );
  return {
    async stop() {
      await boss.offWork({ id });
    },
  };
}
