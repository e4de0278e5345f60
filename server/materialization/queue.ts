import "server-only";
import PgBoss from "pg-boss";
import type { Ctx, JobQueue } from "../core/context";
import { rootLogger } from "../core/log";
import { createDatasetQueue, type DatasetWorker, datasetJobs, startDatasetWorker } from "../datasets/worker";
import { type LagSampler, startLagSampler } from "../freshness/sample-lag";
import { createStatisticsQueue, startStatisticsWorker, statisticsJobs } from "../statistics/worker";
import { startTransformationSweeper } from "../transformations/sweep";
import {
  createTransformationQueue,
  startTransformationWorker,
  transformationJobs,
} from "../transformations/worker";
import { heartbeatTimeoutSeconds } from "./heartbeat";
import { executeRunOp, probeSourcesOp } from "./job-operations";
import { EXPIRE_IN_SECONDS, MATERIALIZE_JOB, MAX_ATTEMPTS, RETRY_DELAY_SECONDS, RETRY_LIMIT } from "./policy";
import { type RunSweeper, startRunSweeper } from "./sweep-runs";

/**
 * The materialization job queue on pg-boss (in the same Postgres, schema "pgboss"). A job's id is
 * its run's id, so enqueuing a run twice collapses to one job; the job only carries that id and
 * the handler is thin: the run row holds status, progress, heartbeat and errors.
 */

export { EXPIRE_IN_SECONDS, MATERIALIZE_JOB, MAX_ATTEMPTS, RETRY_DELAY_SECONDS, RETRY_LIMIT };

export const JOB_POLICY: {
  retryLimit: number;
  retryDelay: number;
  retryBackoff: boolean;
  expireInSeconds: number;
} = {
  retryLimit: RETRY_LIMIT,
  retryDelay: RETRY_DELAY_SECONDS,
  retryBackoff: true,
  expireInSeconds: EXPIRE_IN_SECONDS,
};

export interface MaterializeJobData {
  runId: string;
}

/** Background probes of a project's sources (server/freshness/probe-sources.ts). */
export const PROBE_JOB = "probe-sources";
/**
 * "stately": at most one queued and one active probe job per project (the singleton key), so
 * however often pages ask, probes never pile up. Probes are cheap to redo: no retries.
 */
const PROBE_QUEUE = { name: PROBE_JOB, policy: "stately", retryLimit: 0, expireInSeconds: 15 * 60 } as const;

export interface ProbeJobData {
  projectId: string;
}

export interface BossOptions {
  /** Worker poll period; pg-boss's minimum is 0.5 s. Default 2 s. */
  pollingIntervalSeconds?: number;
  /** Connections pg-boss may open. Default 4. */
  max?: number;
}

/** Starts pg-boss (installing or migrating its schema if needed) and creates the materialize queue. */
export async function createBoss(connectionString: string, opts: BossOptions = {}): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString,
    schema: "pgboss",
    application_name: "quiver-jobs",
    max: opts.max ?? 4,
    ...(opts.pollingIntervalSeconds ? { pollingIntervalSeconds: opts.pollingIntervalSeconds } : {}),
  });
  // An 'error' event without a listener would crash the process; pg-boss recovers by itself.
  boss.on("error", (e) => rootLogger().error({ err: e, component: "pg-boss" }, "pg-boss error"));
  await boss.start();
  // createQueue leaves an existing queue as it is; updateQueue brings its policy up to date.
  await boss.createQueue(MATERIALIZE_JOB, { name: MATERIALIZE_JOB, policy: "standard", ...JOB_POLICY });
  await boss.updateQueue(MATERIALIZE_JOB, { name: MATERIALIZE_JOB, ...JOB_POLICY });
  await boss.createQueue(PROBE_JOB, PROBE_QUEUE);
  await createDatasetQueue(boss);
  await createStatisticsQueue(boss);
  await createTransformationQueue(boss);
  return boss;
}

/** `policy` overrides the retry settings per job (tests shorten the retry delay). */
export function createJobQueue(boss: PgBoss, policy: Partial<typeof JOB_POLICY> = {}): JobQueue {
  const options = { ...JOB_POLICY, ...policy };
  return {
    async enqueueMaterialization(runId) {
      const data: MaterializeJobData = { runId };
      // Resolves to null when a job with this id already exists: the double enqueue collapsed.
      await boss.send(MATERIALIZE_JOB, data, { id: runId, ...options });
    },
    async cancelMaterialization(runId) {
      // Only jobs not yet completed change state; an active job's handler stops on the run row.
      await boss.cancel(MATERIALIZE_JOB, runId);
    },
    async enqueueSourceProbe(projectId) {
      const data: ProbeJobData = { projectId };
      // Resolves to null when the project has a probe queued already.
      await boss.send(PROBE_JOB, data, { singletonKey: projectId });
    },
    ...datasetJobs(boss),
    ...statisticsJobs(boss),
    ...transformationJobs(boss, { retryDelay: options.retryDelay }),
  };
}

export interface WorkerOptions {
  boss: PgBoss;
  /** The context each job runs with (a system actor); its log gets the job's name and run or project. */
  ctxFor: () => Ctx;
  /** Jobs run at once in this process. Default 2. */
  concurrency?: number;
  /** Rows per source fetch and online write. */
  batchSize?: number;
  /** QUIVER_RUN_HEARTBEAT_TIMEOUT_S unless set. */
  heartbeatTimeoutSeconds?: number;
  /** How often this process sweeps runs whose worker died; default a quarter of the timeout. */
  sweepIntervalMs?: number;
  /** Entity rows per slice of a dataset build (server/datasets/build.ts's default unless set). */
  datasetSliceRows?: number;
  /** How often this process samples every view's lag (QUIVER_LAG_SAMPLE_MS unless set). */
  lagSampleMs?: number;
}

export interface MaterializationWorker {
  /** Stops fetching new jobs and sweeping; jobs in flight finish (pg-boss's graceful stop waits for them). */
  stop(): Promise<void>;
  /** This process's sweeper of runs whose worker stopped heartbeating (sweep-runs.ts). */
  sweeper: RunSweeper;
  /** The dataset builds this process runs, and their sweeper (server/datasets/worker.ts). */
  datasets: DatasetWorker;
  /** This process's lag sampler (server/freshness/sample-lag.ts). */
  lagSampler: LagSampler;
}

/**
 * Registers `concurrency` pollers of the materialize queue, each taking one job at a time, one
 * poller of the source probe queue, and the sweeper that fails and retries runs whose worker died;
 * beside them the dataset build queue's poller and sweeper (server/datasets/worker.ts).
 */
export async function startMaterializationWorker(opts: WorkerOptions): Promise<MaterializationWorker> {
  const { boss, ctxFor } = opts;
  const concurrency = opts.concurrency ?? 2;
  const timeoutSeconds = opts.heartbeatTimeoutSeconds ?? heartbeatTimeoutSeconds();
  const ids: string[] = [];
  for (let i = 0; i < concurrency; i++) {
    ids.push(
      await boss.work<MaterializeJobData>(
        MATERIALIZE_JOB,
        { batchSize: 1, includeMetadata: true },
        async (jobs) => {
          for (const job of jobs) {
            const runId = job.data?.runId;
            if (typeof runId !== "string") throw new Error(`materialize job ${job.id} carries no run id`);
            const run = await executeRunOp.call({
              ctx: jobCtx(ctxFor(), { job: MATERIALIZE_JOB, runId }),
              input: {
                runId,
                batchSize: opts.batchSize,
                heartbeatTimeoutSeconds: timeoutSeconds,
                // pg-boss retries a failed job only while its count allows; the row must agree.
                lastAttempt: job.retryCount >= job.retryLimit,
              },
            });
            return { status: run.status, rowsWritten: run.rowsWritten };
          }
        },
      ),
    );
  }
  ids.push(
    await boss.work<ProbeJobData>(PROBE_JOB, { batchSize: 1 }, async (jobs) => {
      for (const job of jobs) {
        const projectId = job.data?.projectId;
        if (typeof projectId !== "string") throw new Error(`probe job ${job.id} carries no project id`);
        return probeSourcesOp.call({
          ctx: jobCtx(ctxFor(), { job: PROBE_JOB, projectId }),
          input: { projectId },
        });
      }
    }),
  );
  const base = ctxFor();
  const sweeper = startRunSweeper({
    db: base.db,
    log: base.log.child({ job: "sweep-runs" }),
    boss,
    timeoutSeconds,
    intervalMs: opts.sweepIntervalMs,
  });
  const datasets = await startDatasetWorker({
    boss,
    ctxFor,
    timeoutSeconds,
    sliceRows: opts.datasetSliceRows,
    sweepIntervalMs: opts.sweepIntervalMs,
  });
  // Every worker samples: the table's key keeps one sample per view and minute.
  const lagSampler = startLagSampler({
    db: base.db,
    log: base.log.child({ job: "sample-lag" }),
    periodMs: opts.lagSampleMs,
  });
  const statistics = await startStatisticsWorker({ boss, ctxFor });
  const transforms = await startTransformationWorker({
    boss,
    ctxFor,
    batchSize: opts.batchSize,
    heartbeatTimeoutSeconds: timeoutSeconds,
  });
  const transformSweeper = startTransformationSweeper({
    db: base.db,
    log: base.log.child({ job: "sweep-transformation-runs" }),
    boss,
    timeoutSeconds,
    intervalMs: opts.sweepIntervalMs,
  });
  return {
    sweeper,
    datasets,
    lagSampler,
    async stop() {
      await lagSampler.stop();
      await sweeper.stop();
      await transformSweeper.stop();
      await datasets.stop();
      await statistics.stop();
      await transforms.stop();
      for (const id of ids) await boss.offWork({ id });
    },
  };
}

/** The job's context: its log lines carry the job's name and what it works on. */
function jobCtx(ctx: Ctx, fields: { job: string; runId?: string; projectId?: string }): Ctx {
  return { ...ctx, log: ctx.log.child(fields) };
}
