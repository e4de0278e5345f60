import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import type { Ctx } from "../core/context";
import { InvalidError, NotFoundError } from "../core/errors";
import { schema } from "../db/client";
import {
  getFeatureConsumers,
  getLineage,
  getLineageOverview,
  getNeighborhood,
  searchLineage,
} from "./lineage";

let t: TestDb;
let ctx: Ctx;

/**
 * Project "shop":
 *   driver_src ─▶ driver_hourly_stats ─▶ conv_rate, acc_rate, avg_daily_trips, unread
 *   driver ─────▶ driver_hourly_stats, trip_stats
 *   customer ───▶ trip_stats ◀─ trips_src; trip_stats ─▶ trip_count, avg_fare
 *   driver_activity = driver_hourly_stats:{conv_rate, acc_rate, dropped}; trip_all = trip_stats:* + avg_daily_trips
 *   eta_model reads both services; pricing_service reads trip_all; idle_model reads nothing.
 * Project "other" reuses the names driver_hourly_stats:conv_rate, driver_activity and adds other_model.
 */
beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t);
  await seedShop(ctx);
  await seedOther(ctx);
});
afterAll(async () => {
  await t.drop();
});

describe("getLineage", () => {
  it("builds every node of the project with readable ids and kinds in column order", async () => {
    const g = await getLineage({ ctx, input: { project: "shop" } });
    expect(g.project).toBe("shop");
    expect(g.nodes.map((n) => n.id)).toEqual([
      "source:driver_src",
      "source:trips_src",
      "entity:customer",
      "entity:driver",
      "entity:unused_entity",
      "feature_view:driver_hourly_stats",
      "feature_view:trip_stats",
      // Features keep their position inside the view.
      "feature:driver_hourly_stats:conv_rate",
      "feature:driver_hourly_stats:acc_rate",
      "feature:driver_hourly_stats:avg_daily_trips",
      "feature:driver_hourly_stats:unread",
      "feature:trip_stats:trip_count",
      "feature:trip_stats:avg_fare",
      "feature_service:driver_activity",
      "feature_service:trip_all",
      "consumer:eta_model",
      "consumer:idle_model",
      "consumer:pricing_service",
    ]);
    const conv = g.nodes.find((n) => n.id === "feature:driver_hourly_stats:conv_rate");
    expect(conv).toMatchObject({
      kind: "feature",
      name: "conv_rate",
      label: "conv_rate",
      meta: { dtype: "float64", featureView: "driver_hourly_stats", owner: "ml-team" },
    });
    expect(g.nodes.find((n) => n.id === "feature_view:driver_hourly_stats")?.meta).toMatchObject({
      version: 3,
      featureCount: 4,
      owner: "ml-team",
    });
    expect(g.nodes.find((n) => n.id === "consumer:pricing_service")?.meta).toMatchObject({
      consumerKind: "service",
    });
  });

  it("has exactly the edges of the registry, each id source->target", async () => {
    const g = await getLineage({ ctx, input: { project: "shop" } });
    for (const e of g.edges) expect(e.id).toBe(`${e.source}->${e.target}`);
    expect(g.edges.map((e) => e.id).sort()).toEqual(
      [
        "source:driver_src->feature_view:driver_hourly_stats",
        "source:trips_src->feature_view:trip_stats",
        "entity:driver->feature_view:driver_hourly_stats",
        "entity:driver->feature_view:trip_stats",
        "entity:customer->feature_view:trip_stats",
        "feature_view:driver_hourly_stats->feature:driver_hourly_stats:conv_rate",
        "feature_view:driver_hourly_stats->feature:driver_hourly_stats:acc_rate",
        "feature_view:driver_hourly_stats->feature:driver_hourly_stats:avg_daily_trips",
        "feature_view:driver_hourly_stats->feature:driver_hourly_stats:unread",
        "feature_view:trip_stats->feature:trip_stats:trip_count",
        "feature_view:trip_stats->feature:trip_stats:avg_fare",
        "feature:driver_hourly_stats:conv_rate->feature_service:driver_activity",
        "feature:driver_hourly_stats:acc_rate->feature_service:driver_activity",
        "feature:driver_hourly_stats:avg_daily_trips->feature_service:trip_all",
        "feature:trip_stats:trip_count->feature_service:trip_all",
        "feature:trip_stats:avg_fare->feature_service:trip_all",
        "feature_service:driver_activity->consumer:eta_model",
        "feature_service:trip_all->consumer:eta_model",
        "feature_service:trip_all->consumer:pricing_service",
      ].sort(),
    );
    const ids = new Set(g.nodes.map((n) => n.id));
    for (const e of g.edges) {
      expect(ids).toContain(e.source);
      expect(ids).toContain(e.target);
    }
  });

  it('expands a "*" projection to every feature of the view', async () => {
    const g = await getLineage({ ctx, input: { project: "shop" } });
    const intoTripAll = g.edges.filter((e) => e.target === "feature_service:trip_all").map((e) => e.source);
    expect(intoTripAll.sort()).toEqual([
      "feature:driver_hourly_stats:avg_daily_trips",
      "feature:trip_stats:avg_fare",
      "feature:trip_stats:trip_count",
    ]);
    expect(g.nodes.find((n) => n.id === "feature_service:trip_all")?.meta.featureCount).toBe(3);
  });

  it("reports a projected feature the view no longer has instead of drawing it", async () => {
    const g = await getLineage({ ctx, input: { project: "shop" } });
    expect(g.nodes.find((n) => n.id === "feature_service:driver_activity")?.meta).toMatchObject({
      featureCount: 2,
      missingFeatures: "driver_hourly_stats:dropped",
    });
    expect(g.nodes.some((n) => n.id.endsWith(":dropped"))).toBe(false);
  });

  it("does not leak another project's objects, even with the same names", async () => {
    const shop = await getLineage({ ctx, input: { project: "shop" } });
    expect(shop.nodes.some((n) => n.id === "consumer:other_model")).toBe(false);
    expect(shop.edges.some((e) => e.target === "consumer:other_model")).toBe(false);
    const other = await getLineage({ ctx, input: { project: "other" } });
    expect(other.nodes.map((n) => n.id)).toEqual([
      "source:driver_src",
      "entity:driver",
      "feature_view:driver_hourly_stats",
      "feature:driver_hourly_stats:conv_rate",
      "feature_service:driver_activity",
      "consumer:other_model",
    ]);
    expect(other.edges).toHaveLength(5);
  });

  it("refuses an unknown project", async () => {
    await expect(getLineage({ ctx, input: { project: "nope" } })).rejects.toThrow(NotFoundError);
    await expect(getLineage({ ctx, input: { project: "nope" } })).rejects.toThrow('project "nope" not found');
  });

  it("returns an empty graph for a project with nothing registered", async () => {
    await ctx.db.insert(schema.projects).values({ name: "empty" });
    expect(await getLineage({ ctx, input: { project: "empty" } })).toEqual({
      project: "empty",
      nodes: [],
      edges: [],
    });
  });
});

describe("getNeighborhood", () => {
  const conv = "feature:driver_hourly_stats:conv_rate";
  const ids = (g: { nodes: { id: string }[] }) => g.nodes.map((n) => n.id).sort();

  it("walks upstream of a feature to its view, source and entities", async () => {
    const g = await getNeighborhood({ ctx, input: { project: "shop", nodeId: conv, direction: "upstream" } });
    expect(ids(g)).toEqual(
      ["entity:driver", "feature_view:driver_hourly_stats", conv, "source:driver_src"].sort(),
    );
    expect(g.edges.map((e) => e.id).sort()).toEqual(
      [
        "entity:driver->feature_view:driver_hourly_stats",
        `feature_view:driver_hourly_stats->${conv}`,
        "source:driver_src->feature_view:driver_hourly_stats",
      ].sort(),
    );
  });

  it("walks downstream of a feature to its services and their consumers", async () => {
    const g = await getNeighborhood({
      ctx,
      input: { project: "shop", nodeId: conv, direction: "downstream" },
    });
    expect(ids(g)).toEqual([conv, "consumer:eta_model", "feature_service:driver_activity"].sort());
    expect(g.edges).toHaveLength(2);
  });

  it("walks both ways without taking in siblings", async () => {
    const g = await getNeighborhood({ ctx, input: { project: "shop", nodeId: conv, direction: "both" } });
    expect(ids(g)).toEqual(
      [
        "consumer:eta_model",
        "entity:driver",
        conv,
        "feature_service:driver_activity",
        "feature_view:driver_hourly_stats",
        "source:driver_src",
      ].sort(),
    );
    // acc_rate shares the view and the service, but is neither an ancestor nor a descendant.
    expect(g.nodes.some((n) => n.id === "feature:driver_hourly_stats:acc_rate")).toBe(false);
  });

  it("stops at the given depth", async () => {
    const g = await getNeighborhood({
      ctx,
      input: { project: "shop", nodeId: "entity:driver", direction: "downstream", depth: 1 },
    });
    expect(ids(g)).toEqual(["entity:driver", "feature_view:driver_hourly_stats", "feature_view:trip_stats"]);
    const all = await getNeighborhood({
      ctx,
      input: { project: "shop", nodeId: "entity:driver", direction: "downstream" },
    });
    expect(ids(all)).toContain("consumer:pricing_service");
    expect(ids(all)).not.toContain("consumer:idle_model");
  });

  it("refuses a bad direction or depth as invalid input, naming the field", async () => {
    await expect(
      getNeighborhood({ ctx, input: { project: "shop", nodeId: conv, direction: "sideways" as "both" } }),
    ).rejects.toThrow(InvalidError);
    await expect(
      getNeighborhood({ ctx, input: { project: "shop", nodeId: conv, direction: "both", depth: 0 } }),
    ).rejects.toThrow(/^depth:/);
  });

  it("refuses an unknown node, naming it", async () => {
    const call = getNeighborhood({
      ctx,
      input: { project: "shop", nodeId: "feature:driver_hourly_stats:nope", direction: "both" },
    });
    await expect(call).rejects.toThrow(NotFoundError);
    await expect(
      getNeighborhood({ ctx, input: { project: "shop", nodeId: "consumer:other_model", direction: "both" } }),
    ).rejects.toThrow('"consumer:other_model" not found');
  });
});

describe("getNeighborhood under caps", () => {
  const ids = (g: { nodes: { id: string }[] }) => g.nodes.map((n) => n.id).sort();

  it("answers every node's neighbour counts, hidden ones included", async () => {
    const g = await getNeighborhood({
      ctx,
      input: { project: "shop", nodeId: "feature:driver_hourly_stats:conv_rate", direction: "both" },
    });
    expect(g.focus).toBe("feature:driver_hourly_stats:conv_rate");
    expect(g.truncated).toBe(false);
    // The view has 4 features, one drawn; its source and entity are drawn.
    expect(g.counts["feature_view:driver_hourly_stats"]).toEqual({
      upstream: 2,
      downstream: 4,
      hiddenUpstream: 0,
      hiddenDownstream: 3,
    });
    // driver feeds trip_stats too; eta_model also reads trip_all.
    expect(g.counts["entity:driver"]).toEqual({
      upstream: 0,
      downstream: 2,
      hiddenUpstream: 0,
      hiddenDownstream: 1,
    });
    expect(g.counts["consumer:eta_model"]).toEqual({
      upstream: 2,
      downstream: 0,
      hiddenUpstream: 1,
      hiddenDownstream: 0,
    });
  });

  it("takes at most `fanout` neighbours of a node and `limit` nodes, and says it cut", async () => {
    const fan = await getNeighborhood({
      ctx,
      input: {
        project: "shop",
        nodeId: "feature_view:driver_hourly_stats",
        direction: "downstream",
        depth: 1,
        fanout: 2,
      },
    });
    expect(ids(fan)).toEqual([
      "feature:driver_hourly_stats:acc_rate",
      "feature:driver_hourly_stats:conv_rate",
      "feature_view:driver_hourly_stats",
    ]);
    expect(fan.truncated).toBe(true);
    expect(fan.counts["feature_view:driver_hourly_stats"]?.hiddenDownstream).toBe(2);

    const capped = await getNeighborhood({
      ctx,
      input: { project: "shop", nodeId: "entity:driver", direction: "downstream", limit: 2 },
    });
    expect(capped.nodes).toHaveLength(2);
    expect(capped.truncated).toBe(true);
    expect(capped.counts["entity:driver"]?.hiddenDownstream).toBe(1);
  });

  it("refuses caps beyond the bounds, naming the field", async () => {
    const nodeId = "entity:driver";
    await expect(getNeighborhood({ ctx, input: { project: "shop", nodeId, limit: 5000 } })).rejects.toThrow(
      /^limit:/,
    );
    await expect(getNeighborhood({ ctx, input: { project: "shop", nodeId, fanout: 0 } })).rejects.toThrow(
      /^fanout:/,
    );
    await expect(getNeighborhood({ ctx, input: { project: "shop", nodeId, depth: 101 } })).rejects.toThrow(
      InvalidError,
    );
  });
});

describe("getLineageOverview", () => {
  it("sums the project up and folds features in the overview", async () => {
    const o = await getLineageOverview({ ctx, input: { project: "shop" } });
    expect(o.summary.counts).toEqual({
      source: 2,
      transformation: 0,
      entity: 3,
      feature_view: 2,
      stream_view: 0,
      feature: 6,
      on_demand_view: 0,
      feature_service: 2,
      dataset: 0,
      consumer: 3,
    });
    expect(o.summary.top.sources.map((t) => [t.name, t.fanout])).toEqual([
      ["driver_src", 1],
      ["trips_src", 1],
    ]);
    // driver_hourly_stats is read by driver_activity and trip_all; trip_stats by trip_all.
    expect(o.summary.top.views.map((t) => [t.name, t.fanout])).toEqual([
      ["driver_hourly_stats", 2],
      ["trip_stats", 1],
    ]);
    expect(o.graph?.nodes.some((n) => n.kind === "feature")).toBe(false);
    expect(o.graph?.nodes).toHaveLength(12);
    expect(o.graph?.edges.map((e) => e.id)).toContain("feature_view:trip_stats->feature_service:trip_all");
  });
});

describe("searchLineage", () => {
  it("finds nodes by name in the project only", async () => {
    const r = await searchLineage({ ctx, input: { project: "shop", q: "driver" } });
    // The exact name first; then the prefixes ("driver_hourly_stats:conv_rate" starts with it too)
    // in column order, by label within a kind.
    expect(r.hits.map((h) => h.id)).toEqual([
      "entity:driver",
      "source:driver_src",
      "feature_view:driver_hourly_stats",
      "feature:driver_hourly_stats:acc_rate",
      "feature:driver_hourly_stats:avg_daily_trips",
      "feature:driver_hourly_stats:conv_rate",
      "feature:driver_hourly_stats:unread",
      "feature_service:driver_activity",
    ]);
    const other = await searchLineage({ ctx, input: { project: "other", q: "model" } });
    expect(other.hits.map((h) => h.id)).toEqual(["consumer:other_model"]);
    await expect(searchLineage({ ctx, input: { project: "shop", q: " " } })).rejects.toThrow(/^q:/);
  });
});

describe("getFeatureConsumers", () => {
  it("lists the services projecting a feature by name and the consumers reading them", async () => {
    const r = await getFeatureConsumers({
      ctx,
      input: { project: "shop", featureView: "driver_hourly_stats", feature: "conv_rate" },
    });
    expect(r.featureServices).toEqual([{ name: "driver_activity", owner: "ml-team" }]);
    expect(r.consumers).toEqual([
      { name: "eta_model", kind: "model", owner: "eta-team", via: ["driver_activity"] },
    ]);
  });

  it('follows "*" projections and groups a consumer reading through several services', async () => {
    const r = await getFeatureConsumers({
      ctx,
      input: { project: "shop", featureView: "trip_stats", feature: "trip_count" },
    });
    expect(r.featureServices.map((s) => s.name)).toEqual(["trip_all"]);
    expect(r.consumers.map((c) => [c.name, c.via])).toEqual([
      ["eta_model", ["trip_all"]],
      ["pricing_service", ["trip_all"]],
    ]);
  });

  it("returns nothing for a feature no service projects", async () => {
    const r = await getFeatureConsumers({
      ctx,
      input: { project: "shop", featureView: "driver_hourly_stats", feature: "unread" },
    });
    expect(r).toEqual({
      featureView: "driver_hourly_stats",
      feature: "unread",
      featureServices: [],
      consumers: [],
    });
  });

  it("answers per project for the same names", async () => {
    const r = await getFeatureConsumers({
      ctx,
      input: { project: "other", featureView: "driver_hourly_stats", feature: "conv_rate" },
    });
    expect(r.consumers.map((c) => c.name)).toEqual(["other_model"]);
  });

  it("refuses an unknown project, view or feature", async () => {
    await expect(
      getFeatureConsumers({ ctx, input: { project: "nope", featureView: "x", feature: "y" } }),
    ).rejects.toThrow('project "nope" not found');
    await expect(
      getFeatureConsumers({ ctx, input: { project: "shop", featureView: "nope", feature: "conv_rate" } }),
    ).rejects.toThrow('feature view "nope" not found');
    await expect(
      getFeatureConsumers({
        ctx,
        input: { project: "shop", featureView: "driver_hourly_stats", feature: "nope" },
      }),
    ).rejects.toThrow('feature "driver_hourly_stats:nope" not found');
  });
});

async function seedShop(ctx: Ctx): Promise<void> {
  const db = ctx.db;
  const [project] = await db.insert(schema.projects).values({ name: "shop" }).returning();
  if (!project) throw new Error("no project");
  const projectId = project.id;
  const [driverSrc, tripsSrc] = await db
    .insert(schema.dataSources)
    .values([
      {
        projectId,
        name: "driver_src",
        kind: "table",
        tableName: "shop.driver_stats",
        timestampField: "ts",
      },
      { projectId, name: "trips_src", kind: "query", query: "select * from trips", timestampField: "ts" },
    ])
    .returning();
  const [driver, customer] = await db
    .insert(schema.entities)
    .values([
      { projectId, name: "driver", joinKey: "driver_id", valueType: "int64" },
      { projectId, name: "customer", joinKey: "customer_id", valueType: "string" },
      { projectId, name: "unused_entity", joinKey: "x_id", valueType: "string" },
    ])
    .returning();
  if (!driverSrc || !tripsSrc || !driver || !customer) throw new Error("seed failed");
  const [dhs, trips] = await db
    .insert(schema.featureViews)
    .values([
      { projectId, name: "driver_hourly_stats", currentVersion: 3, sourceId: driverSrc.id, owner: "ml-team" },
      { projectId, name: "trip_stats", currentVersion: 1, sourceId: tripsSrc.id },
    ])
    .returning();
  if (!dhs || !trips) throw new Error("seed failed");
  await db.insert(schema.featureViewEntities).values([
    { featureViewId: dhs.id, entityId: driver.id, position: 0 },
    { featureViewId: trips.id, entityId: driver.id, position: 0 },
    { featureViewId: trips.id, entityId: customer.id, position: 1 },
  ]);
  const feature = (view: { id: string; name: string }, name: string, position: number) => ({
    projectId,
    featureViewId: view.id,
    viewName: view.name,
    name,
    dtype: name === "trip_count" ? ("int64" as const) : ("float64" as const),
    position,
    owner: view.name === "driver_hourly_stats" ? "ml-team" : "",
  });
  await db
    .insert(schema.features)
    .values([
      feature(dhs, "conv_rate", 0),
      feature(dhs, "acc_rate", 1),
      feature(dhs, "avg_daily_trips", 2),
      feature(dhs, "unread", 3),
      feature(trips, "trip_count", 0),
      feature(trips, "avg_fare", 1),
    ]);
  const [activity, tripAll] = await db
    .insert(schema.featureServices)
    .values([
      { projectId, name: "driver_activity", owner: "ml-team" },
      { projectId, name: "trip_all" },
    ])
    .returning();
  if (!activity || !tripAll) throw new Error("seed failed");
  await db.insert(schema.featureServiceProjections).values([
    {
      featureServiceId: activity.id,
      featureViewId: dhs.id,
      featureNames: ["conv_rate", "acc_rate", "dropped"],
    },
    { featureServiceId: tripAll.id, featureViewId: trips.id, featureNames: ["*"] },
    { featureServiceId: tripAll.id, featureViewId: dhs.id, featureNames: ["avg_daily_trips"] },
  ]);
  const [eta, pricing] = await db
    .insert(schema.consumers)
    .values([
      { projectId, name: "eta_model", kind: "model", owner: "eta-team" },
      { projectId, name: "pricing_service", kind: "service" },
      { projectId, name: "idle_model", kind: "model" },
    ])
    .returning();
  if (!eta || !pricing) throw new Error("seed failed");
  await db.insert(schema.consumerFeatureServices).values([
    { consumerId: eta.id, featureServiceId: activity.id },
    { consumerId: eta.id, featureServiceId: tripAll.id },
    { consumerId: pricing.id, featureServiceId: tripAll.id },
  ]);
}

async function seedOther(ctx: Ctx): Promise<void> {
  const db = ctx.db;
  const [project] = await db.insert(schema.projects).values({ name: "other" }).returning();
  if (!project) throw new Error("no project");
  const projectId = project.id;
  const [src] = await db
    .insert(schema.dataSources)
    .values({ projectId, name: "driver_src", kind: "table", tableName: "x.y", timestampField: "ts" })
    .returning();
  const [ent] = await db
    .insert(schema.entities)
    .values({ projectId, name: "driver", joinKey: "driver_id", valueType: "int64" })
    .returning();
  if (!src || !ent) throw new Error("seed failed");
  const [view] = await db
    .insert(schema.featureViews)
    .values({ projectId, name: "driver_hourly_stats", currentVersion: 1, sourceId: src.id })
    .returning();
  if (!view) throw new Error("seed failed");
  await db
    .insert(schema.featureViewEntities)
    .values({ featureViewId: view.id, entityId: ent.id, position: 0 });
  await db.insert(schema.features).values({
    projectId,
    featureViewId: view.id,
    viewName: view.name,
    name: "conv_rate",
    dtype: "float64",
    position: 0,
  });
  const [svc] = await db
    .insert(schema.featureServices)
    .values({ projectId, name: "driver_activity" })
    .returning();
  const [model] = await db
    .insert(schema.consumers)
    .values({ projectId, name: "other_model", kind: "model" })
    .returning();
  if (!svc || !model) throw new Error("seed failed");
  await db
    .insert(schema.featureServiceProjections)
    .values({ featureServiceId: svc.id, featureViewId: view.id, featureNames: ["conv_rate"] });
  await db.insert(schema.consumerFeatureServices).values({ consumerId: model.id, featureServiceId: svc.id });
}
