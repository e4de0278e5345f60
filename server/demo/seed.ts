import "server-only";
import { eq } from "drizzle-orm";
import { type Ctx, inTransaction } from "../core/context";
import { createDataset, uploadEntities } from "../datasets";
import { buildDataset } from "../datasets/build";
import { removeStorage } from "../datasets/storage";
import { registryPool } from "../db/client";
import {
  consumers,
  dataSources,
  datasets,
  entities,
  featureServices,
  featureViews,
  onDemandViews,
  projects,
  streamViews,
  transformations,
} from "../db/schema";
import { createOnDemandView } from "../on-demand/registry";
import {
  createConsumer,
  createDataSource,
  createEntity,
  createFeatureService,
  createFeatureView,
  ensureProject,
} from "../registry";
import { createStreamView } from "../streams/registry";
import { dropOutputTable } from "../transformations/engine";
import { createTransformation } from "../transformations/registry";
import { executeTransformationRunOp, runTransformationOp } from "../transformations/runs";
import type { TransformationSpec } from "../transformations/schemas";
import {
  DEMO_CONSUMERS,
  DEMO_DATASET,
  DEMO_ENTITIES,
  DEMO_FEATURE_SERVICES,
  DEMO_FEATURE_VIEWS,
  DEMO_ON_DEMAND_VIEWS,
  DEMO_PROJECT,
  DEMO_SOURCES,
  DEMO_STREAM_VIEWS,
  DEMO_TRANSFORMATIONS,
  DEMO_TRANSFORMED_VIEWS,
} from "./definitions";
import { demoEnd, demoEntityRows, demoStart, writeDemoTables } from "./offline-data";

export interface DemoSeed {
  project: string;
  featureViews: string[];
  driverRows: number;
  customerRows: number;
  /** The event-time range of the data: materialize [start, end] to fill the online store. */
  start: Date;
  end: Date;
  /** The saved dataset the seed built, and how its build ended. */
  dataset: { name: string; status: string; rows: number };
}

/** Serialises concurrent seeders (the app's first start and `quiver seed`). */
const SEED_LOCK = 724_312;

/**
 * Writes the demo: offline tables in the demo's offline schema and the `demo` project's registry objects
 * (entities, sources, a 7-day transformation with the view over its output, feature views, an
 * on-demand view, a stream view, a feature service, a saved dataset, a consumer trained on it).
 * The dataset is built here, by the build job's own function, without a job: at start-up the seed
 * runs before the worker starts. Re-seeding drops the demo
 * project and rebuilds tables and objects, so the result is the same every time for the same
 * `now`; the online values of the old demo views are removed too.
 *
 * Not one transaction: registering a view checks its columns against the offline table on a
 * connection of its own, so the tables must be committed first. A seed that fails half-way leaves
 * a partial demo that the next seed replaces.
 */
export async function seedDemo(ctx: Ctx, now: Date = new Date()): Promise<DemoSeed> {
  const project = DEMO_PROJECT.name;
  return withSeedLock(ctx, async () => {
    await removeOldDatasets(ctx, project);
    const { views: oldViews, outputTables } = await clearProjectDefinitions(ctx, project);
    for (const view of oldViews) await ctx.online.deleteView(project, view);
    for (const target of outputTables) await dropOutputTable(ctx.offline, project, target);
    await ensureProject({ ctx, input: DEMO_PROJECT });
    // As the demo's offline writer role, in its own schema: never as the registry's role.
    const rows = await ctx.offline.transaction(project, "write", (client) => writeDemoTables(client, now));
    await inTransaction(ctx, async (tx) => {
      for (const input of DEMO_ENTITIES) await createEntity({ ctx: tx, input: { ...input, project } });
      for (const input of DEMO_SOURCES) await createDataSource({ ctx: tx, input: { ...input, project } });
    });
    for (const spec of DEMO_FEATURE_VIEWS) await createFeatureView({ ctx, input: { project, spec } });
    for (const spec of DEMO_TRANSFORMATIONS) await seedTransformation(ctx, project, spec);
    for (const spec of DEMO_TRANSFORMED_VIEWS) await createFeatureView({ ctx, input: { project, spec } });
    for (const spec of DEMO_ON_DEMAND_VIEWS) await createOnDemandView({ ctx, input: { project, spec } });
    for (const spec of DEMO_STREAM_VIEWS) await createStreamView({ ctx, input: { project, spec } });
    await inTransaction(ctx, async (tx) => {
      for (const input of DEMO_FEATURE_SERVICES)
        await createFeatureService({ ctx: tx, input: { ...input, project } });
    });
    const dataset = await seedDataset(ctx, project, now);
    await inTransaction(ctx, async (tx) => {
      for (const input of DEMO_CONSUMERS) await createConsumer({ ctx: tx, input: { ...input, project } });
    });
    return {
      project,
      featureViews: [...DEMO_FEATURE_VIEWS, ...DEMO_TRANSFORMED_VIEWS].map((v) => v.name),
      ...rows,
      start: demoStart(now),
      end: demoEnd(now),
      dataset,
    };
  });
}

/**
 * Registers a transformation and fills its output with a full refresh run in this process (at
 * start-up the seed runs before the worker does), so the views reading it have rows to materialize.
 */
async function seedTransformation(ctx: Ctx, project: string, spec: TransformationSpec): Promise<void> {
  await createTransformation({ ctx, input: { project, spec } });
  const inline: Ctx = { ...ctx, jobs: { ...ctx.jobs, enqueueTransformationRun: async () => {} } };
  const run = await runTransformationOp.call({
    ctx: inline,
    input: { project, name: spec.name, mode: "full" },
  });
  const done = await executeTransformationRunOp.call({ ctx, input: { runId: run.id } });
  if (done.status !== "succeeded")
    throw new Error(`demo transformation ${spec.name} ended ${done.status}: ${done.error ?? ""}`);
}

/** Uploads the demo's trips, saves the dataset and builds it in this process. */
async function seedDataset(ctx: Ctx, project: string, now: Date): Promise<DemoSeed["dataset"]> {
  const { name, description, tags, owner, selection, fileName, rows } = DEMO_DATASET;
  const file = await uploadEntities({
    ctx,
    input: {
      project,
      fileName,
      format: "csv",
      contentBase64: Buffer.from(demoEntityRows(now, rows)).toString("base64"),
    },
  });
  // Built right here rather than by a job: at start-up the seed runs before the worker does.
  const inline: Ctx = { ...ctx, jobs: { ...ctx.jobs, enqueueDatasetBuild: async () => {} } };
  const created = await createDataset({
    ctx: inline,
    input: {
      project,
      name,
      description,
      tags,
      owner,
      selection,
      entitySource: { kind: "upload", path: file.path, format: "csv", fileName },
    },
  });
  const built = await buildDataset(ctx, created.id);
  return { name, status: built.status, rows: built.rowsDone };
}

/** Drops the stored rows (and entity files) of the project's datasets, before their rows go. */
async function removeOldDatasets(ctx: Ctx, project: string): Promise<void> {
  const old = await ctx.db
    .select({ kind: datasets.storageKind, location: datasets.storageLocation, source: datasets.entitySource })
    .from(datasets)
    .innerJoin(projects, eq(projects.id, datasets.projectId))
    .where(eq(projects.name, project));
  for (const d of old) {
    if (d.location) await removeStorage(ctx, project, { kind: d.kind, location: d.location });
    if (d.source.kind === "upload") await ctx.offline.files.remove(project, d.source.path);
  }
}

/** Holds a session advisory lock on a connection of its own while fn runs. */
async function withSeedLock<T>(ctx: Ctx, fn: () => Promise<T>): Promise<T> {
  const client = await registryPool(ctx.db).connect();
  try {
    await client.query("select pg_advisory_lock($1)", [SEED_LOCK]);
    return await fn();
  } finally {
    await client.query("select pg_advisory_unlock($1)", [SEED_LOCK]).catch(() => {});
    client.release();
  }
}

/**
 * Deletes every definition of a project (its runs go with its views); returns the names its feature
 * views had. The project row stays, and with it its members, API keys and audit log, so re-seeding
 * never locks anyone out. Children go first, in reference order: cross-object references
 * (view -> entity, service -> view) are not cascading.
 */
async function clearProjectDefinitions(
  ctx: Ctx,
  name: string,
): Promise<{ views: string[]; outputTables: { schema: string; table: string }[] }> {
  return inTransaction(ctx, async ({ db }) => {
    const [project] = await db.select({ id: projects.id }).from(projects).where(eq(projects.name, name));
    if (!project) return { views: [], outputTables: [] };
    const views = await db
      .select({ name: featureViews.name })
      .from(featureViews)
      .where(eq(featureViews.projectId, project.id));
    const outputs = await db
      .select({ table: transformations.outputTable })
      .from(transformations)
      .where(eq(transformations.projectId, project.id));
    for (const table of [
      consumers,
      datasets,
      featureServices,
      onDemandViews,
      streamViews,
      featureViews,
      transformations,
      dataSources,
      entities,
    ])
      await db.delete(table).where(eq(table.projectId, project.id));
    return {
      views: views.map((v) => v.name),
      outputTables: outputs.map((o) => {
        const [schema = "", table = ""] = o.table.split(".");
        return { schema, table };
      }),
    };
  });
}
