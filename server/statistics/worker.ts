import "server-only";
import type PgBoss from "pg-boss";
import type { Ctx, JobQueue, StatisticsJob } from "../core/context";
import { executeStatisticsOp } from "./operations";

/**
 * The "feature-statistics" queue on pg-boss, beside the materialize queue (server/materialization/
 * queue.ts creates it and starts its worker with the others). The job carries what to compute;
 * the rows it writes are keyed by the computation, so a redelivery is harmless. Two retries: a
 * statistics job that fails leaves its run as it was and says why in the log only.
 */
export const STATISTICS_JOB = "feature-statistics";

const STATISTICS_QUEUE = {
  name: STATISTICS_JOB,
  policy: "standard",
  retryLimit: 2,
  retryDelay: 30,
  expireInSeconds: 60 * 60,
} as const;

export async function createStatisticsQueue(boss: PgBoss): Promise<void> {
  await boss.createQueue(STATISTICS_JOB, STATISTICS_QUEUE);
  await boss.updateQueue(STATISTICS_JOB, STATISTICS_QUEUE);
}

export function statisticsJobs(boss: PgBoss): Pick<JobQueue, "enqueueStatistics"> {
  return {
    async enqueueStatistics(job) {
      await boss.send(STATISTICS_JOB, job);
    },
  };
}

/** One poller of the statistics queue (aggregates are heavy on the offline store: one at a time per process). */
export async function startStatisticsWorker(opts: { boss: PgBoss; ctxFor: () => Ctx }): Promise<{
  stop(): Promise<void>;
}> {
  const { boss, ctxFor } = opts;
  const id = await boss.work<StatisticsJob>(STATISTICS_JOB, { batchSize: 1 }, async (jobs) => {
    for (const job of jobs) {
      const ctx = ctxFor();
      return executeStatisticsOp.call({
        ctx: { ...ctx, log: ctx.log.child({ job: STATISTICS_JOB, jobId: job.id }) },
        input: job.data,
      });
    }
  });
  return {
    async stop() {
      await boss.offWork({ id });
    },
  };
}
