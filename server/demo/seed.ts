import "server-only";
import { eq } from "drizzle-orm";
import { type Ctx, inTransaction } from "../core/context";
import { registryPool } from "../db/client";
import { consumers, dataSources, entities, featureServices, featureViews, projects } from "../db/schema";
import {
  createConsumer,
  createDataSource,
  createEntity,
  createFeatureService,
  createFeatureView,
  ensureProject,
} from "../registry";
import {
  DEMO_CONSUMERS,
  DEMO_ENTITIES,
  DEMO_FEATURE_SERVICES,
  DEMO_FEATURE_VIEWS,
  DEMO_PROJECT,
  DEMO_SOURCES,
} from "./definitions";
import { demoEnd, demoStart, writeDemoTables } from "./offline-data";

export interface DemoSeed {
  project: string;
  featureViews: string[];
  driverRows: number;
  customerRows: number;
  /** The event-time range of the data: materialize [start, end] to fill the online store. */
  start: Date;
  end: Date;
}

/** Serialises concurrent seeders (the app's first start and `quiver seed`). */
const SEED_LOCK = 724_312;

/**
 * Writes the demo: offline tables in the demo's offline schema and the `demo` project's registry objects
 * (entities, sources, feature views, a feature service, a consumer). Re-seeding drops the demo
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
    const oldViews = await clearProjectDefinitions(ctx, project);
    for (const view of oldViews) await ctx.online.deleteView(project, view);
    await ensureProject({ ctx, input: DEMO_PROJECT });
    // As the demo's offline writer role, in its own schema: never as the registry's role.
    const rows = await ctx.offline.transaction(project, "write", (client) => writeDemoTables(client, now));
    await inTransaction(ctx, async (tx) => {
      for (const input of DEMO_ENTITIES) await createEntity({ ctx: tx, input: { ...input, project } });
      for (const input of DEMO_SOURCES) await createDataSource({ ctx: tx, input: { ...input, project } });
    });
    for (const spec of DEMO_FEATURE_VIEWS) await createFeatureView({ ctx, input: { project, spec } });
    await inTransaction(ctx, async (tx) => {
      for (const input of DEMO_FEATURE_SERVICES)
        await createFeatureService({ ctx: tx, input: { ...input, project } });
      for (const input of DEMO_CONSUMERS) await createConsumer({ ctx: tx, input: { ...input, project } });
    });
    return {
      project,
      featureViews: DEMO_FEATURE_VIEWS.map((v) => v.name),
      ...rows,
      start: demoStart(now),
      end: demoEnd(now),
    };
  });
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
async function clearProjectDefinitions(ctx: Ctx, name: string): Promise<string[]> {
  return inTransaction(ctx, async ({ db }) => {
    const [project] = await db.select({ id: projects.id }).from(projects).where(eq(projects.name, name));
    if (!project) return [];
    const views = await db
      .select({ name: featureViews.name })
      .from(featureViews)
      .where(eq(featureViews.projectId, project.id));
    for (const table of [consumers, featureServices, featureViews, dataSources, entities])
      await db.delete(table).where(eq(table.projectId, project.id));
    return views.map((v) => v.name);
  });
}
