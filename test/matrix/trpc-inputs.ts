import { eq } from "drizzle-orm";
import type { Ctx } from "../../server/core/context";
import { ConflictError, NotFoundError } from "../../server/core/errors";
import { createDataset } from "../../server/datasets";
import { buildDataset } from "../../server/datasets/build";
import { materializationRuns } from "../../server/db/schema";
import { listRuns, startMaterialization } from "../../server/materialization";
import {
  createConsumer,
  createDataSource,
  createEntity,
  createFeatureService,
  createFeatureView,
  getFeatureView,
  grantSharedSchema,
  listEntities,
  revokeSharedSchema,
} from "../../server/registry";
import { setSchedule, setTransformationScheduleOp } from "../../server/schedules";
import { createTransformation } from "../../server/transformations/registry";
import { cancelTransformationRunOp, runTransformationOp } from "../../server/transformations/runs";
import { driverViewSpec } from "../fixtures/registry";
import { ACCESS_MATRIX_INPUTS } from "./trpc-access-inputs";
import { ALERT_MATRIX_INPUTS } from "./trpc-alert-inputs";
import { ON_DEMAND_MATRIX_INPUTS } from "./trpc-on-demand-inputs";
import { STREAM_MATRIX_INPUTS } from "./trpc-stream-inputs";

/** The shared schema the matrix test's deployment offers (it sets QUIVER_SHARED_SCHEMAS to it). */
export const MATRIX_SHARED_SCHEMA = "matrix_shared";

/**
 * A valid input for every operation (the tRPC procedures and the CLI-only ones), against the matrix test's project "proj" (see
 * authorization-matrix.int.test.ts). Called afresh for each cell, so writes use new names. A
 * procedure missing here fails the matrix test: every door must be exercised.
 */
let n = 0;
const fresh = (base: string) => `${base}_${++n}`;
const P = "proj";

type InputFor = (trusted: Ctx) => Promise<unknown> | unknown;

/** Entity rows for the datasets' inputs: one driver at one time, through the query sandbox. */
const ENTITY_QUERY = "select 1::bigint as driver_id, timestamptz '2026-01-01' as event_timestamp";
const DATASET_SELECTION = { features: ["driver_hourly_stats:conv_rate"] };

/** A queued dataset of a new name (the trusted context's queue only records the job). */
function queuedDataset(trusted: Ctx) {
  return createDataset({
    ctx: trusted,
    input: {
      project: P,
      name: fresh("ds"),
      selection: DATASET_SELECTION,
      entitySource: { kind: "query", sql: ENTITY_QUERY },
    },
  });
}

/** A transformation over the matrix project's source, as the transformation operations' input. */
const TRANSFORMATION_SQL =
  "select driver_id, event_timestamp, count(*) over (partition by driver_id order by event_timestamp) as n from driver_stats_source";
function matrixTransformation(trusted: Ctx) {
  return createTransformation({
    ctx: trusted,
    input: {
      project: P,
      spec: { name: fresh("tx"), sql: TRANSFORMATION_SQL, eventTimestampColumn: "event_timestamp" },
    },
  });
}

/** A fresh transformation with a schedule, as the transformation schedule ops' input. */
async function scheduledTransformation(trusted: Ctx) {
  const t = await matrixTransformation(trusted);
  await setTransformationScheduleOp.call({
    ctx: trusted,
    input: { project: P, transformation: t.name, kind: "every", everyMinutes: 60 },
  });
  return { project: P, transformation: t.name };
}

/** driver_hourly_stats with a schedule (set through the trusted context), as the schedule ops' input. */
async function scheduled(trusted: Ctx) {
  const input = { project: P, featureView: "driver_hourly_stats" };
  await setSchedule({ ctx: trusted, input: { ...input, kind: "every", everyMinutes: 60 } });
  return input;
}

let ready: Promise<string> | undefined;
/** One dataset built (inline, by the job's own function) for the operations that read rows. */
function readyDataset(trusted: Ctx): Promise<string> {
  ready ??= (async () => {
    const d = await queuedDataset(trusted);
    await buildDataset(trusted, d.id);
    return d.name;
  })();
  return ready;
}

export const MATRIX_INPUTS: Record<string, InputFor> = {
  ...ACCESS_MATRIX_INPUTS,
  ...ALERT_MATRIX_INPUTS,
  ...STREAM_MATRIX_INPUTS,
  ...ON_DEMAND_MATRIX_INPUTS,
  "projects.list": () => undefined,
  "entities.list": () => ({ project: P }),
  "entities.get": () => ({ project: P, name: "driver" }),
  "entities.create": () => ({ project: P, name: fresh("ent"), joinKey: "k", valueType: "int64" }),
  "entities.update": async (trusted) => {
    const [e] = await listEntities({ ctx: trusted, input: { project: P } });
    return {
      project: P,
      name: e?.name,
      joinKey: e?.joinKey,
      valueType: e?.valueType,
      description: fresh("d"),
    };
  },
  "sources.list": () => ({ project: P }),
  "sources.get": () => ({ project: P, name: "driver_stats_source" }),
  "sources.create": () => ({
    project: P,
    name: fresh("src"),
    kind: "table",
    tableName: "proj.driver_stats",
    timestampField: "event_timestamp",
  }),
  "sources.update": () => ({
    project: P,
    name: "driver_stats_source",
    kind: "table",
    tableName: "proj.driver_stats",
    timestampField: "event_timestamp",
    createdTimestampField: "created",
    description: fresh("d"),
  }),
  "featureViews.list": () => ({ project: P }),
  "featureViews.get": () => ({ project: P, name: "driver_hourly_stats" }),
  "featureViews.versions": () => ({ project: P, name: "driver_hourly_stats" }),
  "featureViews.diff": () => ({ project: P, name: "driver_hourly_stats", from: 1, to: 1 }),
  "featureViews.usage": () => ({ project: P, name: "driver_hourly_stats", days: 7 }),
  "featureViews.preview": () => ({ project: P, name: "driver_hourly_stats", feature: "conv_rate", limit: 5 }),
  "features.history": () => ({ project: P, featureView: "driver_hourly_stats", feature: "conv_rate" }),
  "sources.preview": () => ({ project: P, name: "driver_stats_source", limit: 5 }),
  "sources.columns": () => ({ project: P, name: "driver_stats_source" }),
  "featureServices.usage": () => ({ project: P, name: "driver_activity", days: 7 }),
  "consumers.usage": () => ({ project: P, name: "eta_model", days: 7 }),
  "entities.usage": () => ({ project: P, name: "driver", days: 7 }),
  "sources.usage": () => ({ project: P, name: "driver_stats_source", days: 7 }),
  "featureViews.create": () => ({ project: P, spec: driverViewSpec({ name: fresh("view") }) }),
  "featureViews.update": async (trusted) => {
    const v = await getFeatureView({ ctx: trusted, input: { project: P, name: "driver_hourly_stats" } });
    return { project: P, baseVersion: v.currentVersion, spec: { ...v.spec, description: fresh("d") } };
  },
  "featureViews.plan": async (trusted) => {
    const v = await getFeatureView({ ctx: trusted, input: { project: P, name: "driver_hourly_stats" } });
    return { project: P, baseVersion: v.currentVersion, spec: { ...v.spec, ttlSeconds: 3600 } };
  },
  "featureServices.list": () => ({ project: P }),
  "featureServices.get": () => ({ project: P, name: "driver_activity" }),
  "featureServices.create": () => ({ project: P, name: fresh("svc"), features: ["driver_hourly_stats:*"] }),
  "featureServices.update": () => ({
    project: P,
    name: "driver_activity",
    features: ["driver_hourly_stats:conv_rate"],
    description: fresh("d"),
  }),
  "consumers.list": () => ({ project: P }),
  "consumers.get": () => ({ project: P, name: "eta_model" }),
  "consumers.create": () => ({
    project: P,
    name: fresh("model"),
    kind: "model",
    featureServices: ["driver_activity"],
  }),
  "consumers.update": () => ({
    project: P,
    name: "eta_model",
    kind: "model",
    featureServices: ["driver_activity"],
    description: fresh("d"),
  }),
  // Deletes: a fresh object each time, nothing depending on it (a deleted one cannot be again).
  "entities.delete": async (trusted) => {
    const name = fresh("ent");
    await createEntity({ ctx: trusted, input: { project: P, name, joinKey: "k", valueType: "int64" } });
    return { project: P, name };
  },
  "sources.delete": async (trusted) => {
    const name = fresh("src");
    await createDataSource({
      ctx: trusted,
      input: {
        project: P,
        name,
        kind: "table",
        tableName: "proj.driver_stats",
        timestampField: "event_timestamp",
      },
    });
    return { project: P, name };
  },
  "featureViews.delete": async (trusted) => {
    const name = fresh("view");
    await createFeatureView({ ctx: trusted, input: { project: P, spec: driverViewSpec({ name }) } });
    return { project: P, name };
  },
  "featureServices.delete": async (trusted) => {
    const name = fresh("svc");
    await createFeatureService({
      ctx: trusted,
      input: { project: P, name, features: ["driver_hourly_stats:*"] },
    });
    return { project: P, name };
  },
  "consumers.delete": async (trusted) => {
    const name = fresh("model");
    await createConsumer({ ctx: trusted, input: { project: P, name, kind: "model" } });
    return { project: P, name };
  },
  "entities.dependants": () => ({ project: P, name: "driver" }),
  "sources.dependants": () => ({ project: P, name: "driver_stats_source" }),
  "featureViews.dependants": () => ({ project: P, name: "driver_hourly_stats" }),
  "featureServices.dependants": () => ({ project: P, name: "driver_activity" }),
  "consumers.dependants": () => ({ project: P, name: "eta_model" }),
  // Deprecation is a state: setting or clearing it again is harmless.
  "entities.deprecate": () => ({ project: P, name: "driver", note: fresh("note") }),
  "entities.undeprecate": () => ({ project: P, name: "driver" }),
  "sources.deprecate": () => ({ project: P, name: "driver_stats_source", note: fresh("note") }),
  "sources.undeprecate": () => ({ project: P, name: "driver_stats_source" }),
  "featureViews.deprecate": () => ({ project: P, name: "driver_hourly_stats", note: fresh("note") }),
  "featureViews.undeprecate": () => ({ project: P, name: "driver_hourly_stats" }),
  "featureServices.deprecate": () => ({ project: P, name: "driver_activity", note: fresh("note") }),
  "featureServices.undeprecate": () => ({ project: P, name: "driver_activity" }),
  "consumers.deprecate": () => ({ project: P, name: "eta_model", note: fresh("note") }),
  "consumers.undeprecate": () => ({ project: P, name: "eta_model" }),
  "datasets.deprecate": async (trusted) => ({
    project: P,
    name: await readyDataset(trusted),
    note: fresh("note"),
  }),
  "datasets.undeprecate": async (trusted) => ({ project: P, name: await readyDataset(trusted) }),
  "search.features": () => ({ project: P, q: "conv" }),
  "search.objects": () => ({ project: P, q: "driv" }),
  "search.alsoMatches": () => ({ project: P, q: "driv" }),
  "datasets.list": () => ({ project: P }),
  "datasets.get": async (trusted) => ({ project: P, name: await readyDataset(trusted) }),
  "datasets.upload": () => ({
    project: P,
    fileName: "rows.csv",
    format: "csv",
    contentBase64: Buffer.from("driver_id,event_timestamp\n1,2026-01-01T00:00:00Z\n").toString("base64"),
  }),
  "datasets.previewDraft": () => ({
    project: P,
    selection: DATASET_SELECTION,
    entitySource: { kind: "query", sql: ENTITY_QUERY },
  }),
  "datasets.create": () => ({
    project: P,
    name: fresh("ds"),
    selection: DATASET_SELECTION,
    entitySource: { kind: "query", sql: ENTITY_QUERY },
  }),
  "datasets.preview": async (trusted) => ({ project: P, name: await readyDataset(trusted) }),
  // A fresh queued dataset each time: a cancelled or deleted one cannot be again.
  "datasets.cancel": async (trusted) => ({ project: P, name: (await queuedDataset(trusted)).name }),
  "datasets.delete": async (trusted) => ({ project: P, name: (await queuedDataset(trusted)).name }),
  "lineage.graph": () => ({ project: P }),
  "lineage.neighborhood": () => ({ project: P, nodeId: "feature_view:driver_hourly_stats" }),
  "lineage.overview": () => ({ project: P }),
  "lineage.search": () => ({ project: P, q: "driver" }),
  "lineage.featureConsumers": () => ({
    project: P,
    featureView: "driver_hourly_stats",
    feature: "conv_rate",
  }),
  "lineage.columns": () => ({ project: P, nodeId: "feature:driver_hourly_stats:conv_rate" }),
  "jobs.list": () => ({ project: P }),
  "jobs.get": async (trusted) => {
    const [run] = await listRuns({ ctx: trusted, input: { project: P, limit: 1 } });
    return { project: P, runId: run?.id };
  },
  "jobs.log": async (trusted) => {
    const [run] = await listRuns({ ctx: trusted, input: { project: P, limit: 1 } });
    return { project: P, runId: run?.id };
  },
  "jobs.materialize": () => ({
    project: P,
    featureViews: ["driver_hourly_stats"],
    startTs: new Date("2026-01-01T00:00:00Z"),
    endTs: new Date("2026-01-02T00:00:00Z"),
  }),
  "jobs.materializeIncremental": () => ({
    project: P,
    featureViews: ["driver_hourly_stats"],
    endTs: new Date("2026-01-02T00:00:00Z"),
  }),
  // A fresh queued run each time: a cancelled run cannot be cancelled again.
  "jobs.cancel": async (trusted) => {
    const [run] = await startMaterialization({
      ctx: trusted,
      input: {
        project: P,
        featureViews: ["driver_hourly_stats"],
        startTs: new Date("2026-01-01T00:00:00Z"),
        endTs: new Date("2026-01-02T00:00:00Z"),
      },
    });
    return { project: P, runId: run?.id };
  },
  // A fresh failed run each time: a run is retried at most once.
  "jobs.retry": async (trusted) => {
    const [run] = await startMaterialization({
      ctx: trusted,
      input: {
        project: P,
        featureViews: ["driver_hourly_stats"],
        startTs: new Date("2026-01-01T00:00:00Z"),
        endTs: new Date("2026-01-02T00:00:00Z"),
      },
    });
    await trusted.db
      .update(materializationRuns)
      .set({ status: "failed", attempts: 3, error: "reading source: timed out after 600 s" })
      .where(eq(materializationRuns.id, run?.id ?? ""));
    return { project: P, runId: run?.id };
  },
  "freshness.list": () => ({ project: P }),
  "freshness.engines": () => ({ project: P }),
  "schedules.get": () => ({ project: P, featureView: "driver_hourly_stats" }),
  "schedules.list": () => ({ project: P }),
  "schedules.set": () => ({
    project: P,
    featureView: "driver_hourly_stats",
    kind: "every",
    everyMinutes: 60,
  }),
  // Pausing and resuming are idempotent; each needs a schedule, and a delete needs one afresh.
  "schedules.pause": scheduled,
  "schedules.resume": scheduled,
  "schedules.delete": scheduled,
  "freshness.lagHistory": () => ({ project: P, featureView: "driver_hourly_stats" }),
  "statistics.get": () => ({ project: P, featureView: "driver_hourly_stats", feature: "conv_rate" }),
  "statistics.compute": () => ({ project: P, featureView: "driver_hourly_stats" }),
  "statistics.settings": () => ({ project: P }),
  "statistics.setThreshold": () => ({ project: P, driftThreshold: 0.25 }),
  "serving.getOnlineFeatures": () => ({
    project: P,
    features: ["driver_hourly_stats:conv_rate"],
    entities: { driver_id: [1001] },
  }),
  "audit.list": () => ({ project: P }),
  "admin.audit": () => ({}),
  "admin.createProject": () => ({ name: fresh("made") }),
  "account.me": () => undefined,
  "account.signIns": () => undefined,
  "offline.space": () => ({ project: P }),
  // Each cell starts from the state its call changes: not granted yet for a grant, granted for a revoke.
  "offline.grantShared": async (trusted) => {
    const input = { project: P, schema: MATRIX_SHARED_SCHEMA };
    await revokeSharedSchema({ ctx: trusted, input }).catch((e: unknown) => {
      if (!(e instanceof NotFoundError)) throw e;
    });
    return input;
  },
  "offline.revokeShared": async (trusted) => {
    const input = { project: P, schema: MATRIX_SHARED_SCHEMA };
    await grantSharedSchema({ ctx: trusted, input }).catch((e: unknown) => {
      if (!(e instanceof ConflictError)) throw e;
    });
    return input;
  },
  // Operations only the CLI reaches (called directly by the matrix test).
  "offline.own": () => ({ project: P, schema: fresh("own") }),
  "offline.check": () => undefined,
  "offline.setupSql": () => ({ project: P }),
  "users.create": () => ({
    name: "New Person",
    email: `${fresh("person")}@example.com`,
    password: "a long enough password",
    project: P,
    role: "viewer",
  }),
  // Jobs' operations: no door caller passes the gate, so the ids need only parse.
  "jobs.execute": () => ({ runId: "00000000-0000-4000-8000-000000000000" }),
  "freshness.probe": () => ({ projectId: "00000000-0000-4000-8000-000000000000" }),
  "statistics.execute": () => ({ runId: "00000000-0000-4000-8000-000000000000" }),
  "datasets.build": () => ({ datasetId: "00000000-0000-4000-8000-000000000000" }),
  // Batch transformations: a fresh one per cell where the call changes it (a run makes the next
  // one wait; a deleted one cannot be again).
  "transformations.list": () => ({ project: P }),
  "transformations.get": async (trusted) => ({
    project: P,
    name: (await matrixTransformation(trusted)).name,
  }),
  "transformations.diff": async (trusted) => ({
    project: P,
    name: (await matrixTransformation(trusted)).name,
    from: 1,
    to: 1,
  }),
  "transformations.versions": async (trusted) => ({
    project: P,
    name: (await matrixTransformation(trusted)).name,
  }),
  "transformations.runs": async (trusted) => ({
    project: P,
    name: (await matrixTransformation(trusted)).name,
  }),
  "transformations.getRun": async (trusted) => {
    const t = await matrixTransformation(trusted);
    const run = await runTransformationOp.call({ ctx: trusted, input: { project: P, name: t.name } });
    return { project: P, runId: run.id };
  },
  "transformations.cancel": async (trusted) => {
    const t = await matrixTransformation(trusted);
    const run = await runTransformationOp.call({ ctx: trusted, input: { project: P, name: t.name } });
    return { project: P, runId: run.id };
  },
  // A fresh cancelled run each time: a retry starts a new run, which the next retry would wait for.
  "transformations.retry": async (trusted) => {
    const t = await matrixTransformation(trusted);
    const run = await runTransformationOp.call({ ctx: trusted, input: { project: P, name: t.name } });
    await cancelTransformationRunOp.call({ ctx: trusted, input: { project: P, runId: run.id } });
    return { project: P, runId: run.id };
  },
  "transformations.getSchedule": async (trusted) => ({
    project: P,
    transformation: (await matrixTransformation(trusted)).name,
  }),
  "transformations.schedules": () => ({ project: P }),
  "transformations.setSchedule": async (trusted) => ({
    project: P,
    transformation: (await matrixTransformation(trusted)).name,
    kind: "every",
    everyMinutes: 60,
  }),
  "transformations.pauseSchedule": scheduledTransformation,
  "transformations.resumeSchedule": scheduledTransformation,
  "transformations.deleteSchedule": scheduledTransformation,
  "transformations.preview": () => ({ project: P, sql: TRANSFORMATION_SQL }),
  "transformations.create": () => ({
    project: P,
    spec: { name: fresh("tx"), sql: TRANSFORMATION_SQL, eventTimestampColumn: "event_timestamp" },
  }),
  "transformations.update": async (trusted) => {
    const t = await matrixTransformation(trusted);
    return {
      project: P,
      version: t.currentVersion,
      spec: { name: t.name, sql: TRANSFORMATION_SQL, eventTimestampColumn: "event_timestamp" },
    };
  },
  "transformations.delete": async (trusted) => ({
    project: P,
    name: (await matrixTransformation(trusted)).name,
  }),
  "transformations.run": async (trusted) => ({
    project: P,
    name: (await matrixTransformation(trusted)).name,
  }),
  "transformations.backfill": async (trusted) => ({
    project: P,
    name: (await matrixTransformation(trusted)).name,
    start: "2026-01-01T00:00:00Z",
    end: "2026-01-02T00:00:00Z",
  }),
  "transformations.execute": () => ({ runId: "00000000-0000-4000-8000-000000000000" }),
  // Idempotent: the viewer is no administrator before or after.
  "users.setAdmin": () => ({ email: "user_viewer@example.com", admin: false }),
};
