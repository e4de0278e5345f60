import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { driverViewSpec, seedBasics } from "../../test/fixtures/registry";
import type { Ctx } from "../core/context";
import { createOnDemandView, updateOnDemandView } from "../on-demand/registry";
import { createStreamView } from "../streams/registry";
import { createTransformation } from "../transformations/registry";
import { createFeatureView, ensureProject, searchAlsoMatches, searchObjects } from "./index";

// One object of each engine beside a feature view; every expected list is written by hand from
// the rules in search-objects.ts (exact > prefix > close word) and search-engines.ts (every word
// starts a word of the object's text; names holding every word first).

let t: TestDb;
let ctx: Ctx;
const P = "proj";

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t);
  await seedBasics(ctx, t);
  await createFeatureView({ ctx, input: { project: P, spec: driverViewSpec() } });
  const odv = {
    name: "driver_scores",
    inputs: ["driver_hourly_stats:conv_rate"],
    requestFields: [{ name: "boost", dtype: "float64" as const }],
    fields: [
      {
        name: "boosted_conv",
        dtype: "float64" as const,
        expression: "driver_hourly_stats.conv_rate * request.boost",
        description: "Conversion rate times the request's boost",
      },
    ],
  };
  await createOnDemandView({ ctx, input: { project: P, spec: odv } });
  // version 2 renames the feature: only the current version's features are found
  await updateOnDemandView({
    ctx,
    input: {
      project: P,
      baseVersion: 1,
      spec: { ...odv, fields: [{ ...odv.fields[0], name: "boosted_conv_rate" }] } as typeof odv,
    },
  });
  await createStreamView({
    ctx,
    input: {
      project: P,
      spec: {
        name: "driver_trips_live",
        entities: ["driver"],
        stream: { adapter: "redis", key: `${P}:trips` },
        timestampField: "ts",
        aggregations: [
          { name: "trips_5m", function: "count", windowSeconds: 300 },
          { name: "fare_sum_1h", column: "fare", function: "sum", windowSeconds: 3600 },
        ],
      },
    },
  });
  await createTransformation({
    ctx,
    input: {
      project: P,
      spec: {
        name: "driver_stats_7d",
        sql: "select driver_id, event_timestamp, conv_rate from driver_stats_source",
        eventTimestampColumn: "event_timestamp",
        description: "Weekly conversion per driver",
      },
    },
  });
});
afterAll(async () => {
  await t?.drop();
});

describe("search.objects finds the three engines", () => {
  const found = async (q: string, project = P) =>
    (await searchObjects({ ctx, input: { project, q } })).items.map(
      (i) => `${i.kind}${i.viewKind && i.viewKind !== "view" ? `(${i.viewKind})` : ""} ${i.name}`,
    );

  it("finds on-demand views, stream views and transformations by name", async () => {
    // the prefix first; then names with a word close to it (typos)
    expect((await found("driver_sc"))[0]).toBe("on_demand_view driver_scores");
    expect((await found("driver_trips_live"))[0]).toBe("stream_view driver_trips_live");
    // the transformation and the output source it owns share the name
    expect((await found("driver_stats_7d")).slice(0, 2)).toEqual([
      "source driver_stats_7d",
      "transformation driver_stats_7d",
    ]);
    expect(await found("driver_scorse")).toContain("on_demand_view driver_scores");
  });

  it("finds on-demand and stream features as view:feature, with their view's kind", async () => {
    expect(await found("boosted")).toEqual(["feature(on_demand_view) driver_scores:boosted_conv_rate"]);
    expect(await found("fare_sum")).toEqual(["feature(stream_view) driver_trips_live:fare_sum_1h"]);
    expect(await found("driver_trips_live:")).toEqual([
      "feature(stream_view) driver_trips_live:trips_5m",
      "feature(stream_view) driver_trips_live:fare_sum_1h",
    ]);
    // a feature view's feature keeps its own page
    expect(await found("driver_hourly_stats:conv")).toEqual(["feature driver_hourly_stats:conv_rate"]);
    const [hit] = (await searchObjects({ ctx, input: { project: P, q: "conv_rate" } })).items;
    expect(hit).toEqual({
      kind: "feature",
      name: "driver_hourly_stats:conv_rate",
      deprecated: false,
      viewKind: "view",
    });
  });

  it("reads only the current version and only the project's own objects", async () => {
    expect(await found("boosted_conv")).toEqual(["feature(on_demand_view) driver_scores:boosted_conv_rate"]);
    await ensureProject({ ctx, input: { name: "other" } });
    expect(await found("driver", "other")).toEqual([]);
  });
});

describe("search.alsoMatches: what the features page finds outside the feature index", () => {
  const also = async (q: string, project = P) => {
    const r = await searchAlsoMatches({ ctx, input: { project, q } });
    return { total: r.total, names: r.items.map((i) => `${i.kind} ${i.name}`) };
  };

  it("finds features and transformations by words of their names and descriptions", async () => {
    expect(await also("boost")).toEqual({ total: 1, names: ["feature driver_scores:boosted_conv_rate"] });
    // "conversion" is in the on-demand feature's and the transformation's descriptions
    expect(await also("conversion")).toEqual({
      total: 2,
      names: ["feature driver_scores:boosted_conv_rate", "transformation driver_stats_7d"],
    });
    // a stream feature by its column and function
    expect(await also("fare sum")).toEqual({ total: 1, names: ["feature driver_trips_live:fare_sum_1h"] });
    // every word must match; names with every word come first
    expect(await also("driver trips")).toEqual({
      total: 2,
      names: ["feature driver_trips_live:fare_sum_1h", "feature driver_trips_live:trips_5m"],
    });
    expect(await also("trips 5m")).toEqual({ total: 1, names: ["feature driver_trips_live:trips_5m"] });
    // a transformation by a source it reads
    expect(await also("driver_stats_source")).toEqual({
      total: 1,
      names: ["transformation driver_stats_7d"],
    });
  });

  it("matches word starts only, takes operators literally, and stays in the project", async () => {
    expect(await also("oosted")).toEqual({ total: 0, names: [] });
    expect(await also("")).toEqual({ total: 0, names: [] });
    expect(await also("% _ .* (")).toEqual({ total: 0, names: [] });
    expect(await also("driver", "other")).toEqual({ total: 0, names: [] });
  });
});
