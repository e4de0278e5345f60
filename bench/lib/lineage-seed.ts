/**
 * A project with a lineage graph of about `nodes` nodes, shaped like a real registry: sources and
 * entities feeding views (one source, one or two entities each), views of 5-25 features, services
 * projecting some features of a few views (some with "*"), consumers reading one to three
 * services, datasets built from one to three views and the models trained on them. Direct inserts
 * (the registry's tables as its services write them, minus version history), deterministic.
 */
import type { Db } from "../../server/db/client";
import { schema } from "../../server/db/client";

export interface LineageSeed {
  project: string;
  nodes: number;
  /** A view with many readers, and one of its features: good focus nodes. */
  busyView: string;
  busyFeature: string;
}

export async function seedLineageProject(db: Db, project: string, target = 2000): Promise<LineageSeed> {
  let seed = 7;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const scale = target / 2000;
  const n = (x: number) => Math.max(1, Math.round(x * scale));
  const [p] = await db.insert(schema.projects).values({ name: project }).returning();
  if (!p) throw new Error("no project");
  const projectId = p.id;
  const owners = ["ml-platform", "risk-team", "growth", "eta-team", "pricing", ""];
  const owner = () => owners[rand(owners.length)] ?? "";

  const sources = await db
    .insert(schema.dataSources)
    .values(
      Array.from({ length: n(25) }, (_, i) => ({
        projectId,
        name: `src_${pad(i)}_events`,
        kind: "table" as const,
        tableName: `${project}.events_${pad(i)}`,
        timestampField: "event_timestamp",
        owner: owner(),
        description: `Raw events table ${i}`,
      })),
    )
    .returning({ id: schema.dataSources.id, name: schema.dataSources.name });
  const entities = await db
    .insert(schema.entities)
    .values(
      Array.from({ length: n(40) }, (_, i) => ({
        projectId,
        name: `entity_${pad(i)}`,
        joinKey: `entity_${pad(i)}_id`,
        valueType: "int64" as const,
        owner: owner(),
      })),
    )
    .returning({ id: schema.entities.id, name: schema.entities.name });
  const views = await db
    .insert(schema.featureViews)
    .values(
      Array.from({ length: n(120) }, (_, i) => ({
        projectId,
        name: `view_${pad(i)}_stats`,
        currentVersion: 1 + rand(3),
        sourceId: sources[rand(sources.length)]?.id ?? "",
        owner: owner(),
        description: `Aggregates of ${i}`,
      })),
    )
    .returning({ id: schema.featureViews.id, name: schema.featureViews.name });
  await db.insert(schema.featureViewEntities).values(
    views.flatMap((v) => {
      const a = rand(entities.length);
      const ids = rand(3) === 0 ? [a, (a + 1) % entities.length] : [a];
      return ids.map((e, position) => ({ featureViewId: v.id, entityId: entities[e]?.id ?? "", position }));
    }),
  );

  // Features: the rest of the budget, spread 5-25 a view.
  const fixed = sources.length + entities.length + views.length + n(80) + n(60) + n(40);
  let featureBudget = Math.max(views.length * 5, target - fixed);
  const featuresOf = new Map<string, string[]>();
  const featureRows: (typeof schema.features.$inferInsert)[] = [];
  for (const [i, v] of views.entries()) {
    const left = views.length - i;
    const count = Math.max(5, Math.min(25, Math.round(featureBudget / left) + rand(7) - 3));
    featureBudget -= count;
    const names = Array.from(
      { length: count },
      (_, j) => `f_${pad(j)}_${["sum", "avg", "cnt", "max"][j % 4]}`,
    );
    featuresOf.set(v.id, names);
    names.forEach((name, position) => {
      featureRows.push({
        projectId,
        featureViewId: v.id,
        viewName: v.name,
        name,
        dtype: "float64",
        position,
        owner: "",
      });
    });
  }
  for (let i = 0; i < featureRows.length; i += 500)
    await db.insert(schema.features).values(featureRows.slice(i, i + 500));

  const services = await db
    .insert(schema.featureServices)
    .values(
      Array.from({ length: n(80) }, (_, i) => ({
        projectId,
        name: `svc_${pad(i)}_model_inputs`,
        owner: owner(),
      })),
    )
    .returning({ id: schema.featureServices.id });
  // The first few views are read by many services, as popular views are.
  const popular = (k: number) => (rand(3) === 0 ? rand(Math.min(8, k)) : rand(k));
  const projections: (typeof schema.featureServiceProjections.$inferInsert)[] = [];
  for (const s of services) {
    const picked = new Set<number>();
    for (let k = 0, m = 1 + rand(3); k < m; k++) picked.add(popular(views.length));
    for (const vi of picked) {
      const v = views[vi];
      if (!v) continue;
      const names = featuresOf.get(v.id) ?? [];
      const featureNames = rand(4) === 0 ? ["*"] : names.filter(() => rand(3) === 0).slice(0, 8);
      projections.push({
        featureServiceId: s.id,
        featureViewId: v.id,
        featureNames: featureNames.length > 0 ? featureNames : [names[0] ?? "*"],
      });
    }
  }
  await db.insert(schema.featureServiceProjections).values(projections);

  const consumers = await db
    .insert(schema.consumers)
    .values(
      Array.from({ length: n(60) }, (_, i) => ({
        projectId,
        name: `consumer_${pad(i)}`,
        kind: rand(3) === 0 ? ("service" as const) : ("model" as const),
        owner: owner(),
      })),
    )
    .returning({ id: schema.consumers.id });
  const reads = new Set<string>();
  for (const c of consumers)
    for (let k = 0, m = 1 + rand(3); k < m; k++) reads.add(`${c.id}|${services[rand(services.length)]?.id}`);
  await db.insert(schema.consumerFeatureServices).values(
    [...reads].map((r) => {
      const [consumerId = "", featureServiceId = ""] = r.split("|");
      return { consumerId, featureServiceId };
    }),
  );

  const datasets = await db
    .insert(schema.datasets)
    .values(
      Array.from({ length: n(40) }, (_, i) => ({
        projectId,
        name: `train_${pad(i)}`,
        entitySourceKind: "query" as const,
        entitySource: { kind: "query" as const, sql: "select 1" },
        status: "ready" as const,
        rowsDone: 1000 + rand(100_000),
        createdBy: "bench",
      })),
    )
    .returning({ id: schema.datasets.id });
  const datasetViews = new Set<string>();
  for (const d of datasets)
    for (let k = 0, m = 1 + rand(3); k < m; k++)
      datasetViews.add(`${d.id}|${views[popular(views.length)]?.id}`);
  await db.insert(schema.datasetFeatureViews).values(
    [...datasetViews].map((r) => {
      const [datasetId = "", featureViewId = ""] = r.split("|");
      return { datasetId, featureViewId, featureViewVersion: 1 };
    }),
  );
  await db
    .insert(schema.consumerDatasets)
    .values(
      datasets.map((d) => ({ datasetId: d.id, consumerId: consumers[rand(consumers.length)]?.id ?? "" })),
    );

  const nodes = fixed + featureRows.length;
  const busy = views[0];
  return {
    project,
    nodes,
    busyView: busy?.name ?? "",
    busyFeature: `${busy?.name}:${featuresOf.get(busy?.id ?? "")?.[0] ?? ""}`,
  };
}

function pad(i: number): string {
  return String(i).padStart(3, "0");
}
