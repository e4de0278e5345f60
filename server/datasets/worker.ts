import "server-only";
import { and, eq, sql } from "drizzle-orm";
import type PgBoss from "pg-boss";
import type { Ctx, JobQueue } from "../core/context";
import { type Logger, rootLogger } from "../core/log";
import { datasets, projects } from "../db/schema";
import { heartbeatIntervalMs, heartbeatLostMessage } from "../materialization/heartbeat";
import { buildDatasetOp } from "./job-operations";
import { removeStorage } from "./storage";

/**
 * The dataset build queue on pg-boss, beside the materialize queue (server/materialization/queue.ts
 * creates it and starts its worker with the others). A job's id is its dataset's id, so a double
 * enqueue collapses; the handler only calls datasets.build, the row holds the rest. No retries: a
 * failed build says why and the dataset is created again; a build whose worker died is failed by
 * the sweeper below (its partial rows removed).
 */
export const DATASET_JOB = "build-dataset";

const DATASET_QUEUE = {
  name: DATASET_JOB,
  policy: "standard",
  retryLimit: 0,
  // Only bounds one build; a dead worker is found by its heartbeat long before.
  expireInSeconds: 6 * 60 * 60,
} as const;

export async function createDatasetQueue(boss: PgBoss): Promise<void> {
  await boss.createQueue(DATASET_JOB, DATASET_QUEUE);
  await boss.updateQueue(DATASET_JOB, DATASET_QUEUE);
}

export interface DatasetJobData {
  datasetId: string;
}

export function datasetJobs(boss: PgBoss): Pick<JobQueue, "enqueueDatasetBuild" | "cancelDatasetBuild"> {
  return {
    async enqueueDatasetBuild(datasetId) {
      const data: DatasetJobData = { datasetId };
      await boss.send(DATASET_JOB, data, { id: datasetId, retryLimit: 0 });
    },
    async cancelDatasetBuild(datasetId) {
      await boss.cancel(DATASET_JOB, datasetId);
    },
  };
}

export interface DatasetWorkerOptions {
  boss: PgBoss;
  ctxFor: () => Ctx;
  timeoutSeconds: number;
  /** Entity rows per slice (build.ts's default unless set). */
  sliceRows?: number;
  sweepIntervalMs?: number;
}

export interface DatasetWorker {
  sweep(): Promise<string[]>;
  stop(): Promise<void>;
}

/** One poller of the dataset queue (a build is long and heavy: one at a time per process) and the sweeper. */
export async function startDatasetWorker(opts: DatasetWorkerOptions): Promise<DatasetWorker> {
  const { boss, ctxFor } = opts;
  const id = await boss.work<DatasetJobData>(DATASET_JOB, { batchSize: 1 }, async (jobs) => {
    for (const job of jobs) {
      const datasetId = job.data?.datasetId;
      if (typeof datasetId !== "string") throw new Error(`dataset job ${job.id} carries no dataset id`);
      const ctx = ctxFor();
      return buildDatasetOp.call({
        ctx: { ...ctx, log: ctx.log.child({ job: DATASET_JOB, datasetId }) },
        input: { datasetId, sliceRows: opts.sliceRows, heartbeatTimeoutSeconds: opts.timeoutSeconds },
      });
    }
  });
  const base = ctxFor();
  const log = base.log.child({ job: "sweep-datasets" });
  let running: Promise<string[]> | undefined;
  const sweep = async () => {
    if (running) await running;
    running = sweepDatasets(base, boss, opts.timeoutSeconds, log)
      .catch((e: unknown) => {
        log.error({ err: e }, "sweeping dataset builds failed");
        return [];
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const timer = setInterval(() => {
    if (!running) void sweep();
  }, opts.sweepIntervalMs ?? heartbeatIntervalMs(opts.timeoutSeconds));
  timer.unref();
  return {
    sweep,
    async stop() {
      clearInterval(timer);
      await running;
      await boss.offWork({ id });
    },
  };
}

/**
 * Fails the builds whose worker stopped beating for `timeoutSeconds` (one UPDATE: of two sweepers
 * one changes each row), removes their partial rows and fails their still-active jobs.
 */
export async function sweepDatasets(
  ctx: Ctx,
  boss: PgBoss,
  timeoutSeconds: number,
  log: Logger = rootLogger(),
): Promise<string[]> {
  const reason = heartbeatLostMessage(timeoutSeconds);
  const swept = await ctx.db
    .update(datasets)
    .set({ status: "failed", error: reason, finishedAt: sql`now()` })
    .where(
      and(
        eq(datasets.status, "building"),
        sql`coalesce(${datasets.heartbeatAt}, ${datasets.startedAt}, ${datasets.createdAt}) < now() - make_interval(secs => ${timeoutSeconds})`,
      ),
    )
    .returning({
      id: datasets.id,
      projectId: datasets.projectId,
      name: datasets.name,
      storageKind: datasets.storageKind,
      storageLocation: datasets.storageLocation,
    });
  for (const d of swept) {
    log.error({ datasetId: d.id, dataset: d.name, reason }, "dataset build lost its worker");
    const [project] = await ctx.db
      .select({ name: projects.name })
      .from(projects)
      .where(eq(projects.id, d.projectId));
    if (project && d.storageLocation)
      await removeStorage(ctx, project.name, { kind: d.storageKind, location: d.storageLocation }).catch(
        (e: unknown) => log.warn({ err: e, datasetId: d.id }, "removing a lost build's rows failed"),
      );
    const job = await boss.getJobById(DATASET_JOB, d.id);
    if (job?.state === "active") await boss.fail(DATASET_JOB, d.id, { message: reason });
  }
  return swept.map((d) => d.id);
}
