import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import type { Ctx } from "../core/context";
import { InvalidError, NotFoundError } from "../core/errors";
import { seedDemo } from "../demo/seed";
import { getTransformation } from "../transformations/registry";
import { createFeatureService } from "./feature-services";
import { getLineage, getLineageOverview, getNeighborhood, searchLineage } from "./lineage";
import { getLineageColumns } from "./lineage-columns";

/**
 * The lineage of the three engines (docs/adr/0039) on the demo project, which holds one of each:
 * the transformation driver_stats_7d (and the view over its output), the on-demand view
 * driver_scores, the stream view driver_trips_live.
 */

const NOW = new Date("2026-01-31T23:17:42Z");
const P = "demo";
let t: TestDb;
let ctx: Ctx;

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t);
  await seedDemo(ctx, NOW);
  // Services listing on-demand features, by name and by "*".
  await createFeatureService({
    ctx,
    input: { project: P, name: "dispatch_scores", features: ["driver_scores:boosted_conv_rate"] },
  });
  await createFeatureService({
    ctx,
    input: { project: P, name: "all_scores", features: ["driver_scores:*"] },
  });
}, 180_000);
afterAll(async () => {
  await t?.drop();
});

const edgeIds = async () => (await getLineage({ ctx, input: { project: P } })).edges.map((e) => e.id);

describe("lineage of transformations, stream views and on-demand views", () => {
  it("draws source -> transformation -> output source -> view, without a source -> source edge", async () => {
    const g = await getLineage({ ctx, input: { project: P } });
    const ids = g.edges.map((e) => e.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        "source:driver_stats_source->transformation:driver_stats_7d",
        "transformation:driver_stats_7d->source:driver_stats_7d",
        "source:driver_stats_7d->feature_view:driver_stats_7d",
        "feature_view:driver_stats_7d->feature:driver_stats_7d:conv_rate_7d_avg",
      ]),
    );
    expect(ids.filter((id) => /^source:[^>]*->source:/.test(id))).toEqual([]);
    const tx = g.nodes.find((n) => n.id === "transformation:driver_stats_7d");
    expect(tx).toMatchObject({
      kind: "transformation",
      meta: { version: 1, engine: "postgres", output: "driver_stats_7d", columnCount: 5, incremental: true },
    });
    // Nodes come in column order: the transformation right after the sources.
    const kinds = g.nodes.map((n) => n.kind);
    expect(kinds.indexOf("transformation")).toBe(kinds.lastIndexOf("source") + 1);
  });

  it("draws entity -> stream view -> its aggregations, with the stream on the view", async () => {
    const g = await getLineage({ ctx, input: { project: P } });
    expect(g.nodes.find((n) => n.id === "stream_view:driver_trips_live")).toMatchObject({
      kind: "stream_view",
      meta: { stream: "demo:trips", tileSeconds: 60, featureCount: 6 },
    });
    const ids = g.edges.map((e) => e.id);
    expect(ids).toContain("entity:driver->stream_view:driver_trips_live");
    expect(ids.filter((id) => id.startsWith("stream_view:driver_trips_live->"))).toEqual(
      ["trips_5m", "trips_1h", "fare_sum_1h", "fare_avg_1d", "fare_max_1d", "last_fare"].map(
        (f) => `stream_view:driver_trips_live->feature:driver_trips_live:${f}`,
      ),
    );
    expect(g.nodes.find((n) => n.id === "feature:driver_trips_live:fare_sum_1h")?.meta).toMatchObject({
      featureView: "driver_trips_live",
      viewKind: "stream_view",
      dtype: "float64",
      aggregation: "sum(fare) over 1 h",
    });
  });

  it("draws input features -> on-demand view -> its features -> the services listing them", async () => {
    const ids = await edgeIds();
    expect(ids).toEqual(
      expect.arrayContaining([
        "feature:driver_hourly_stats:conv_rate->on_demand_view:driver_scores",
        "feature:driver_hourly_stats:acc_rate->on_demand_view:driver_scores",
        "on_demand_view:driver_scores->feature:driver_scores:boosted_conv_rate",
        "on_demand_view:driver_scores->feature:driver_scores:reliable",
        "feature:driver_scores:boosted_conv_rate->feature_service:dispatch_scores",
        "feature:driver_scores:boosted_conv_rate->feature_service:all_scores",
        "feature:driver_scores:reliable->feature_service:all_scores",
      ]),
    );
    expect(ids).not.toContain("feature:driver_scores:reliable->feature_service:dispatch_scores");
    const g = await getLineage({ ctx, input: { project: P } });
    expect(g.nodes.find((n) => n.id === "feature_service:all_scores")?.meta.featureCount).toBe(2);
  });

  it("counts the new kinds, finds them by name, and answers their neighbourhoods", async () => {
    const o = await getLineageOverview({ ctx, input: { project: P } });
    expect(o.summary.counts).toMatchObject({ transformation: 1, stream_view: 1, on_demand_view: 1 });
    const { hits } = await searchLineage({ ctx, input: { project: P, q: "driver_stats_7d" } });
    expect(hits.map((h) => h.id)).toEqual(
      expect.arrayContaining(["transformation:driver_stats_7d", "source:driver_stats_7d"]),
    );
    expect((await searchLineage({ ctx, input: { project: P, q: "driver_scores:rel" } })).hits[0]?.id).toBe(
      "feature:driver_scores:reliable",
    );
    // What ObjectLineage asks on the three object pages.
    for (const nodeId of [
      "transformation:driver_stats_7d",
      "on_demand_view:driver_scores",
      "stream_view:driver_trips_live",
    ]) {
      const n = await getNeighborhood({
        ctx,
        input: { project: P, nodeId, depth: 2, limit: 60, fanout: 12 },
      });
      expect(n.nodes.map((x) => x.id)).toContain(nodeId);
      expect(n.edges.length).toBeGreaterThan(0);
    }
  });
});

describe("lineage.columns", () => {
  it("answers the demo transformation's output columns as its parsed SQL says, with the features reading them", async () => {
    const c = await getLineageColumns({
      ctx,
      input: { project: P, nodeId: "transformation:driver_stats_7d" },
    });
    const src = (column: string) => ({ source: "driver_stats_source", column });
    // SELECT driver_id, event_timestamp, count(*) OVER w, avg(conv_rate) OVER w,
    // max(avg_daily_trips) OVER w, w = (PARTITION BY driver_id ORDER BY event_timestamp ...).
    const partition = [src("driver_id"), src("event_timestamp")];
    expect(c.steps.map((s) => [s.output.column, s.from])).toEqual([
      ["driver_id", [src("driver_id")]],
      ["event_timestamp", [src("event_timestamp")]],
      ["hours_reported_7d", partition],
      ["conv_rate_7d_avg", expect.arrayContaining([src("conv_rate"), ...partition])],
      ["daily_trips_7d_max", expect.arrayContaining([src("avg_daily_trips"), ...partition])],
    ]);
    expect(c.steps.find((s) => s.output.column === "conv_rate_7d_avg")?.from).toHaveLength(3);
    // The same lineage transformations.get returns.
    const tx = await getTransformation({ ctx, input: { project: P, name: "driver_stats_7d" } });
    for (const col of tx.columns)
      expect(c.steps.find((s) => s.output.column === col.name)?.from).toEqual(col.from);
    expect(c.steps.find((s) => s.output.column === "conv_rate_7d_avg")?.features).toEqual([
      {
        id: "feature:driver_stats_7d:conv_rate_7d_avg",
        view: "driver_stats_7d",
        name: "conv_rate_7d_avg",
      },
    ]);
    expect(c.steps.find((s) => s.output.column === "driver_id")?.features).toEqual([]);
    expect(c.origins).toEqual(
      ["avg_daily_trips", "conv_rate", "driver_id", "event_timestamp"].map((column) => src(column)),
    );
  });

  it("follows a feature upstream through the transformation to its source columns", async () => {
    const c = await getLineageColumns({
      ctx,
      input: { project: P, nodeId: "feature:driver_stats_7d:daily_trips_7d_max" },
    });
    expect(c.reads).toEqual({ source: "driver_stats_7d", column: "daily_trips_7d_max" });
    expect(c.steps.map((s) => [s.transformation, s.output.column])).toEqual([
      ["driver_stats_7d", "daily_trips_7d_max"],
    ]);
    expect(c.origins).toEqual(
      ["avg_daily_trips", "driver_id", "event_timestamp"].map((column) => ({
        source: "driver_stats_source",
        column,
      })),
    );
    // A view over a plain source: its column is where it starts.
    const plain = await getLineageColumns({
      ctx,
      input: { project: P, nodeId: "feature:driver_hourly_stats:conv_rate" },
    });
    expect(plain).toEqual({
      nodeId: "feature:driver_hourly_stats:conv_rate",
      reads: { source: "driver_stats_source", column: "conv_rate" },
      steps: [],
      origins: [{ source: "driver_stats_source", column: "conv_rate" }],
    });
  });

  it("refuses other node ids naming the field, and unknown ones as not found", async () => {
    for (const nodeId of ["feature_view:driver_stats_7d", "transformation:", "feature:a:b:c"])
      await expect(getLineageColumns({ ctx, input: { project: P, nodeId } })).rejects.toMatchObject({
        constructor: InvalidError,
        field: "nodeId",
      });
    for (const nodeId of [
      "transformation:nope",
      "feature:driver_stats_7d:nope",
      "feature:driver_scores:reliable",
    ])
      await expect(getLineageColumns({ ctx, input: { project: P, nodeId } })).rejects.toBeInstanceOf(
        NotFoundError,
      );
  });
});
