import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { PROJECT, postJson, seedServing } from "../../test/helpers/serving";
import type { Ctx } from "../core/context";
import { handleGetHistoricalFeatures } from "../web/http-handlers";
import { getHistoricalFeatures, parseInstant } from "./get-historical-features";

/**
 * Historical retrieval through its operation and its REST door: point-in-time values, the order
 * and echo of entity rows, ttl, ties, field mappings, services, full names, CSV, and 400s naming
 * the problem. The random-data property test is server/offline/historical/*.property.int.test.ts.
 */
let t: TestDb;
let ctx: Ctx;

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t);
  await seedServing(ctx, t);
  await t.offlineSql(
    PROJECT,
    `insert into driver_stats (driver_id, conv, acc_rate, avg_daily_trips, event_timestamp, created) values
      (1, 0.10, 0.5, 10, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
      (1, 0.20, 0.6, 20, '2026-01-02T00:00:00Z', null),
      (1, 0.21, 0.6, 21, '2026-01-02T00:00:00Z', '2026-01-02T00:00:05Z'),
      (1, 0.30, 0.7, 30, '2026-01-03T00:00:00.000001Z', null),
      (2, 0.90, 0.9, 90, '2026-01-01T12:00:00Z', null);
     insert into trips values (1, 'c1', 5, '2026-01-01T00:00:00Z'), (1, 'c2', 7, '2026-01-02T00:00:00Z');`,
  );
});
afterAll(() => t.drop());

const valuesOf = (
  r: { metadata: { feature_names: string[] }; results: { values: unknown[] }[] },
  name: string,
) => r.results[r.metadata.feature_names.indexOf(name)]?.values;

describe("get-historical-features", () => {
  it("reads each row as of its time: ties by created, NULL created loses, ttl, microseconds, order", async () => {
    const times = [
      "2026-01-02T00:00:00Z", // tie at 01-02: created 00:00:05 beats NULL
      "2026-01-01T23:59:59.999999Z", // just before the tie: the 01-01 row
      "2025-12-31T00:00:00Z", // before all data
      "2026-01-03T00:00:00Z", // 1 µs before the 01-03 row: still 01-02's
      "2026-01-03T00:00:00.000001", // no offset: UTC, the 01-03 row exactly at t
      "2026-01-05T00:00:00.000001Z", // 2 days + 1 µs after 01-03: outside the 1-day ttl
      "2026-01-04T00:00:00.000001Z", // exactly t - ttl: still inside
      "2026-01-02T00:00:00Z", // a duplicate row stays a duplicate
    ];
    const r = await getHistoricalFeatures({
      ctx,
      input: {
        project: PROJECT,
        features: ["driver_hourly_stats:conv_rate", "driver_hourly_stats:avg_daily_trips"],
        entities: { driver_id: [1, 1, 1, 1, 1, 1, 1, 1], event_timestamp: times },
      },
    });
    expect(r.metadata.feature_names).toEqual([
      "driver_id",
      "event_timestamp",
      "conv_rate",
      "avg_daily_trips",
    ]);
    expect(valuesOf(r, "event_timestamp")).toEqual(times);
    expect(valuesOf(r, "conv_rate")).toEqual([0.21, 0.1, null, 0.21, 0.3, null, 0.3, 0.21]);
    expect(valuesOf(r, "avg_daily_trips")).toEqual([21, 10, null, 21, 30, null, 30, 21]);
    expect(r.metadata.feature_view_versions).toEqual({ driver_hourly_stats: 1 });
  });

  it("applies services, multi-entity views, query sources and full feature names", async () => {
    const r = await getHistoricalFeatures({
      ctx,
      input: {
        project: PROJECT,
        features: [
          "driver_profile:conv_rate",
          "customer_trips:trips_together",
          "driver_hourly_stats:conv_rate",
        ],
        entities: {
          customer_id: ["c2", "c1", "c2"],
          driver_id: [1, 1, 2],
          event_timestamp: ["2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z", "2026-01-03T00:00:00Z"],
        },
        full_feature_names: true,
      },
    });
    expect(r.metadata.feature_names).toEqual([
      "customer_id",
      "driver_id",
      "event_timestamp",
      "driver_profile__conv_rate",
      "customer_trips__trips_together",
      "driver_hourly_stats__conv_rate",
    ]);
    expect(valuesOf(r, "customer_trips__trips_together")).toEqual([7, 5, null]);
    // driver_profile reads the same table without a created column: its tie at 01-02 has no winner
    // by created, so either 0.20 or 0.21 is right; the query source and ttl 0 reach back to 01-01.
    expect([0.2, 0.21]).toContain(valuesOf(r, "driver_profile__conv_rate")?.[0]);
    // Driver 2's only row is 36 hours older than its entity time: outside the view's 1-day ttl.
    expect(valuesOf(r, "driver_hourly_stats__conv_rate")).toEqual([0.21, 0.21, null]);

    const byService = await getHistoricalFeatures({
      ctx,
      input: {
        project: PROJECT,
        feature_service: "driver_activity",
        full_feature_names: true,
        entities: { driver_id: [2], event_timestamp: ["2026-01-01T13:00:00Z"] },
      },
    });
    expect(valuesOf(byService, "driver_hourly_stats__acc_rate")).toEqual([0.9]);
  });

  it("reads views that are not served online (offline only)", async () => {
    const r = await getHistoricalFeatures({
      ctx,
      input: {
        project: PROJECT,
        features: ["driver_archive:acc_rate"],
        entities: { driver_id: [2], event_timestamp: ["2026-02-01"] },
      },
    });
    expect(valuesOf(r, "acc_rate")).toEqual([0.9]);
  });

  it("answers 400 naming the problem", async () => {
    const ask = async (body: Record<string, unknown>) => {
      const res = await handleGetHistoricalFeatures(
        postJson("get-historical-features", { project: PROJECT, ...body }),
        async () => ctx,
      );
      return { status: res.status, body: (await res.json()) as { error: string; field?: string } };
    };
    const features = ["driver_hourly_stats:conv_rate"];
    const missingTime = await ask({ features, entities: { driver_id: [1] } });
    expect(missingTime).toMatchObject({ status: 400, body: { field: "entities.event_timestamp" } });
    const badTime = await ask({
      features,
      entities: { driver_id: [1, 2], event_timestamp: ["2026-01-01", "yesterday"] },
    });
    expect(badTime).toMatchObject({ status: 400, body: { field: "entities.event_timestamp.1" } });
    const uneven = await ask({ features, entities: { driver_id: [1, 2], event_timestamp: ["2026-01-01"] } });
    expect(uneven.status).toBe(400);
    expect(uneven.body.error).toMatch(/same length/);
    const unknown = await ask({
      features: ["driver_hourly_stats:nope"],
      entities: { driver_id: [1], event_timestamp: ["2026-01-01"] },
    });
    expect(unknown).toMatchObject({ status: 400, body: { field: "features.0" } });
    const missingKey = await ask({ features, entities: { event_timestamp: ["2026-01-01"] } });
    expect(missingKey).toMatchObject({ status: 400, body: { field: "entities.driver_id" } });
    const tooMany = await ask({
      features,
      entities: {
        driver_id: new Array(100_001).fill(1),
        event_timestamp: new Array(100_001).fill("2026-01-01"),
      },
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error).toMatch(/limit 100000/);
  });

  it("accepts 100,000 inline entity rows", async () => {
    const n = 100_000;
    const res = await handleGetHistoricalFeatures(
      postJson("get-historical-features", {
        project: PROJECT,
        features: ["driver_hourly_stats:conv_rate"],
        entities: {
          driver_id: Array.from({ length: n }, (_, i) => (i % 3) + 1),
          event_timestamp: new Array(n).fill("2026-01-02T12:00:00Z"),
        },
      }),
      async () => ctx,
    );
    expect(res.status).toBe(200);
    const r = (await res.json()) as { results: { values: unknown[] }[] };
    expect(r.results[2]?.values.slice(0, 3)).toEqual([0.21, 0.9, null]);
    expect(r.results[2]?.values).toHaveLength(n);
  }, 120_000);

  it("streams CSV with a header and one line per row", async () => {
    const res = await handleGetHistoricalFeatures(
      postJson("get-historical-features", {
        project: PROJECT,
        format: "csv",
        features: ["driver_profile:tags", "driver_hourly_stats:conv_rate"],
        full_feature_names: true,
        entities: { driver_id: [1, 3], event_timestamp: ["2026-01-02T00:00:00Z", "2026-01-02T00:00:00Z"] },
      }),
      async () => ctx,
    );
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(await res.text()).toBe(
      'driver_id,event_timestamp,driver_profile__tags,driver_hourly_stats__conv_rate\r\n1,2026-01-02T00:00:00Z,"[""t""]",0.21\r\n3,2026-01-02T00:00:00Z,,\r\n',
    );
  });
});

describe("parseInstant", () => {
  it("keeps microseconds, reads no offset as UTC and refuses impossible dates", () => {
    expect(parseInstant("2026-01-31T12:00:00.123456", 0)).toBe("2026-01-31T12:00:00.123456Z");
    expect(parseInstant("2026-01-31 12:00+0200", 0)).toBe("2026-01-31T12:00:00+02:00");
    expect(parseInstant("2026-01-31", 0)).toBe("2026-01-31T00:00:00Z");
    for (const bad of [
      "2026-02-30",
      "2026-01-31T24:00:00Z",
      "2026-01-31T12:00:00.1234567Z",
      1700000000,
      null,
    ])
      expect(() => parseInstant(bad, 3), String(bad)).toThrow(/entities\.event_timestamp\.3/);
  });
});
