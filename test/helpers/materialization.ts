import type PgBoss from "pg-boss";
import type { Ctx, JobQueue, StatisticsJob } from "../../server/core/context";
import {
  createBoss,
  createJobQueue,
  type MaterializationWorker,
  startMaterializationWorker,
} from "../../server/materialization/queue";
import { entityKey } from "../../server/online/entity-key";
import { createDataSource, createEntity, createFeatureView, ensureProject } from "../../server/registry";
import type { TestDb } from "../db";

/** A queue that only records what was enqueued: tests then call runMaterialization themselves. */
export function recordingJobs(): JobQueue & {
  runIds: string[];
  cancelledIds: string[];
  probedProjects: string[];
  datasetIds: string[];
  cancelledDatasetIds: string[];
  statisticsJobs: StatisticsJob[];
  transformationRunIds: string[];
} {
  const runIds: string[] = [];
  const cancelledIds: string[] = [];
  const probedProjects: string[] = [];
  const datasetIds: string[] = [];
  const cancelledDatasetIds: string[] = [];
  const statisticsJobs: StatisticsJob[] = [];
  const transformationRunIds: string[] = [];
  return {
    statisticsJobs,
    transformationRunIds,
    runIds,
    cancelledIds,
    probedProjects,
    datasetIds,
    cancelledDatasetIds,
    async enqueueMaterialization(runId) {
      runIds.push(runId);
    },
    async cancelMaterialization(runId) {
      cancelledIds.push(runId);
    },
    async enqueueSourceProbe(projectId) {
      probedProjects.push(projectId);
    },
    async enqueueDatasetBuild(datasetId) {
      datasetIds.push(datasetId);
    },
    async cancelDatasetBuild(datasetId) {
      cancelledDatasetIds.push(datasetId);
    },
    async enqueueStatistics(job) {
      statisticsJobs.push(job);
    },
    async enqueueTransformationRun(runId) {
      transformationRunIds.push(runId);
    },
  };
}

export interface TestQueue {
  boss: PgBoss;
  jobs: JobQueue;
  worker: MaterializationWorker;
  stop(): Promise<void>;
}

/**
 * Real pg-boss on a test database with a worker running jobs with `ctxFor()` (in batches of
 * `batchSize` rows), retrying after 1 s; stop() before dropping the database.
 */
export async function startTestQueue(
  url: string,
  ctxFor: () => Ctx,
  opts: { batchSize?: number } = {},
): Promise<TestQueue> {
  const boss = await createBoss(url, { pollingIntervalSeconds: 0.5, max: 2 });
  const worker = await startMaterializationWorker({
    boss,
    ctxFor,
    concurrency: 2,
    batchSize: opts.batchSize,
  });
  return {
    boss,
    jobs: createJobQueue(boss, { retryDelay: 1, retryBackoff: false }),
    worker,
    async stop() {
      await worker.stop();
      await boss.stop({ graceful: true, close: true, timeout: 10_000, wait: true });
    },
  };
}

export const PROJECT = "proj";
export const VIEW = "driver_stats";

/** What the seeding helpers need of a test database: SQL in a project's offline schema. */
export type OfflineSql = Pick<TestDb, "offlineSql">;

/**
 * A project with a driver entity, a table source `proj.driver_stats` (in the offline database:
 * driver_id, conv, trips, event_timestamp, created; `conv` mapped to the feature conv_rate) and an
 * online view over it.
 */
export async function seedDriverView(ctx: Ctx, t: OfflineSql, opts: { ttlSeconds?: number } = {}) {
  await t.offlineSql(
    PROJECT,
    `create table driver_stats (
      driver_id bigint, conv double precision, trips bigint, event_timestamp timestamptz, created timestamptz)`,
  );
  await ensureProject({ ctx, input: { name: PROJECT } });
  await createEntity({
    ctx,
    input: { project: PROJECT, name: "driver", joinKey: "driver_id", valueType: "int64" },
  });
  await createDataSource({
    ctx,
    input: {
      project: PROJECT,
      name: "driver_stats_source",
      kind: "table",
      tableName: `${PROJECT}.driver_stats`,
      timestampField: "event_timestamp",
      createdTimestampField: "created",
      fieldMapping: { conv: "conv_rate" },
    },
  });
  await createFeatureView({
    ctx,
    input: {
      project: PROJECT,
      spec: {
        name: VIEW,
        entities: ["driver"],
        source: "driver_stats_source",
        ttlSeconds: opts.ttlSeconds ?? 0,
        fields: [
          { name: "conv_rate", dtype: "float64" },
          { name: "trips", dtype: "int64" },
        ],
      },
    },
  });
}

export type DriverRow = [
  driverId: number,
  conv: number,
  trips: number,
  eventTs: string,
  created: string | null,
];

/** Rows into the seeded source table `proj.driver_stats`, as the offline database's administrator. */
export async function insertDriverRows(t: OfflineSql, rows: DriverRow[]): Promise<void> {
  if (rows.length === 0) return;
  const params: unknown[] = [];
  const tuples = rows.map((r, i) => {
    params.push(...r);
    const b = i * 5;
    return `($${b + 1}::bigint, $${b + 2}::float8, $${b + 3}::bigint, $${b + 4}::timestamptz, $${b + 5}::timestamptz)`;
  });
  await t.offlineSql(PROJECT, `insert into driver_stats values ${tuples.join(", ")}`, params);
}

/** The online values of the seeded view for these drivers (null when not stored). */
export async function onlineDrivers(ctx: Ctx, driverIds: number[]) {
  const [rows] = await ctx.online.read(
    PROJECT,
    [{ featureView: VIEW, features: ["conv_rate", "trips"] }],
    driverIds.map((id) => entityKey({ driver_id: id })),
  );
  return (rows ?? []).map((r) => (r ? { ...r.values, eventTs: r.eventTs.toISOString() } : null));
}
