import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { ago, driverKey, PROJECT, STORE_KINDS, seedServing } from "../../test/helpers/serving";
import type { Ctx } from "../core/context";
import { createFeatureService, getFeatureService, listFeatureServices } from "../registry";
import { getHistoricalFeatures } from "../serving/get-historical-features";
import { type GetOnlineFeaturesInput, getOnlineFeatures } from "../serving/get-online-features";
import { createOnDemandView, deleteOnDemandView } from "./registry";

let t: TestDb;

beforeAll(async () => {
  t = await createTestDb();
  const ctx = testCtx(t);
  await seedServing(ctx, t);
  await createOnDemandView({
    ctx,
    input: {
      project: PROJECT,
      spec: {
        name: "driver_odv",
        inputs: [
          "driver_hourly_stats:conv_rate",
          "driver_hourly_stats:avg_daily_trips",
          "driver_profile:city",
        ],
        requestFields: [
          { name: "boost", dtype: "float64" },
          { name: "label", dtype: "string" },
        ],
        fields: [
          { name: "boosted", dtype: "float64", expression: "driver_hourly_stats.conv_rate * request.boost" },
          { name: "busy", dtype: "bool", expression: "driver_hourly_stats.avg_daily_trips > 10" },
          { name: "tagline", dtype: "string", expression: 'driver_profile.city + ":" + request.label' },
          {
            name: "per_trip",
            dtype: "int64",
            expression: "int(driver_hourly_stats.conv_rate * 100.0) / driver_hourly_stats.avg_daily_trips",
          },
        ],
      },
    },
  });
});
afterAll(() => t.drop());

describe("feature services with on-demand features", () => {
  it("list odv:* and odv:feature beside feature views, in the order given; the view cannot be deleted then", async () => {
    const ctx = testCtx(t);
    await createFeatureService({
      ctx,
      input: {
        project: PROJECT,
        name: "odv_service",
        features: ["driver_odv:boosted", "driver_hourly_stats:acc_rate"],
      },
    });
    await createFeatureService({
      ctx,
      input: {
        project: PROJECT,
        name: "odv_all",
        features: ["driver_hourly_stats:acc_rate", "driver_odv:*"],
      },
    });
    expect(
      (await getFeatureService({ ctx, input: { project: PROJECT, name: "odv_service" } })).features,
    ).toEqual(["driver_odv:boosted", "driver_hourly_stats:acc_rate"]);
    const listed = await listFeatureServices({ ctx, input: { project: PROJECT } });
    expect(listed.find((s) => s.name === "odv_all")?.features).toEqual([
      "driver_hourly_stats:acc_rate",
      "driver_odv:*",
    ]);
    await expect(
      createFeatureService({
        ctx,
        input: { project: PROJECT, name: "bad_svc", features: ["driver_odv:nope"] },
      }),
    ).rejects.toMatchObject({
      code: "INVALID",
      field: "features.0",
      message: expect.stringMatching(/on-demand view "driver_odv" has no feature "nope"/),
    });
    await expect(
      deleteOnDemandView({ ctx, input: { project: PROJECT, name: "driver_odv" } }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringMatching(/"odv_all", "odv_service"/),
    });
  });
});

const EPOCH = "1970-01-01T00:00:00Z";

describe("request fields in historical retrieval", () => {
  const historical = (entities: Record<string, unknown[]>) =>
    getHistoricalFeatures({
      ctx: testCtx(t),
      input: { project: PROJECT, features: ["driver_odv:boosted"], entities },
    });
  const time = ["2026-01-01T00:00:00Z"];

  it("come from entity columns, checked like request_context and named as entities", async () => {
    await expect(historical({ driver_id: [1001], event_timestamp: time, boost: [1] })).rejects.toMatchObject({
      code: "INVALID",
      field: "entities.label",
      message: expect.stringMatching(/"label" is missing; on-demand view "driver_odv" needs it/),
    });
    await expect(
      historical({ driver_id: [1001], event_timestamp: time, boost: ["fast"], label: ["a"] }),
    ).rejects.toMatchObject({ code: "INVALID", field: "entities.boost.0" });
    const res = await historical({ driver_id: [1001], event_timestamp: time, boost: ["2.5"], label: ["a"] });
    expect(res.metadata.feature_names).toEqual(["driver_id", "event_timestamp", "boost", "label", "boosted"]);
    expect(res.metadata.on_demand_view_versions).toEqual({ driver_odv: 1 });
  });
});

for (const store of STORE_KINDS) {
  describe.skipIf(store.skip)(`on-demand features online, ${store.kind} store`, () => {
    let ctx: Ctx;
    let close: () => Promise<void>;
    const get = (input: GetOnlineFeaturesInput) =>
      getOnlineFeatures({ ctx, input: { project: PROJECT, ...input } });
    const recent = ago(3600);

    beforeAll(async () => {
      ({ ctx, close } = await store.open(t));
      await ctx.online.write(PROJECT, "driver_hourly_stats", [
        {
          entityKey: driverKey(1001),
          eventTs: recent,
          values: { conv_rate: 0.71, acc_rate: 0.93, avg_daily_trips: 12 },
        },
        {
          entityKey: driverKey(1002),
          eventTs: recent,
          values: { conv_rate: 0.5, acc_rate: null, avg_daily_trips: 0 },
        },
        // older than the view's one-day ttl: its inputs count as null
        {
          entityKey: driverKey(1003),
          eventTs: ago(2 * 86400),
          values: { conv_rate: 0.1, avg_daily_trips: 3 },
        },
      ]);
      await ctx.online.write(PROJECT, "driver_profile", [
        { entityKey: driverKey(1001), eventTs: recent, values: { conv_rate: 0.3, city: "Oslo", tags: [] } },
      ]);
    });
    afterAll(() => close());

    it("computes on-demand features in request order; inputs are read but not returned", async () => {
      const res = await get({
        features: [
          "driver_odv:boosted",
          "driver_hourly_stats:acc_rate",
          "driver_odv:busy",
          "driver_odv:tagline",
          "driver_odv:per_trip",
        ],
        entities: { driver_id: [1001, 1002, 1003] },
        request_context: { boost: [2, 2, null], label: ["a", "b", "c"] },
      });
      expect(res.metadata.feature_names).toEqual([
        "driver_id",
        "boosted",
        "acc_rate",
        "busy",
        "tagline",
        "per_trip",
      ]);
      const [, boosted, acc, busy, tagline, perTrip] = res.results;
      expect(boosted).toEqual({
        values: [1.42, 1, null],
        statuses: ["PRESENT", "PRESENT", "NULL_VALUE"],
        event_timestamps: [EPOCH, EPOCH, EPOCH],
      });
      expect(acc?.statuses).toEqual(["PRESENT", "NULL_VALUE", "NOT_FOUND"]);
      expect(busy?.values).toEqual([true, false, null]);
      expect(tagline?.values).toEqual(["Oslo:a", null, null]);
      expect(perTrip?.values).toEqual([5, null, null]);
      expect(res.metadata.reasons).toEqual({
        boosted: [null, null, "driver_hourly_stats.conv_rate is null"],
        busy: [null, null, "driver_hourly_stats.avg_daily_trips is null"],
        tagline: [null, "driver_profile.city is null", "driver_profile.city is null"],
        per_trip: [null, expect.stringMatching(/division by zero/), "driver_hourly_stats.conv_rate is null"],
      });
    });

    it("answers a request without on-demand features exactly as before (no reasons key)", async () => {
      const res = await get({ features: ["driver_hourly_stats:conv_rate"], entities: { driver_id: [1001] } });
      expect(res).toEqual({
        metadata: { feature_names: ["driver_id", "conv_rate"] },
        results: [
          { values: [1001], statuses: ["PRESENT"], event_timestamps: [EPOCH] },
          { values: [0.71], statuses: ["PRESENT"], event_timestamps: [expect.any(String)] },
        ],
      });
    });

    it("serves a feature service's on-demand features", async () => {
      const res = await get({
        feature_service: "odv_all",
        entities: { driver_id: [1001] },
        request_context: { boost: [3], label: ["z"] },
      });
      expect(res.metadata.feature_names).toEqual([
        "driver_id",
        "acc_rate",
        "boosted",
        "busy",
        "tagline",
        "per_trip",
      ]);
      expect(res.results.map((r) => r.values[0])).toEqual([
        1001,
        0.93,
        expect.closeTo(2.13, 10),
        true,
        "Oslo:z",
        5,
      ]);
    });

    it("full feature names prefix the on-demand view", async () => {
      const res = await get({
        features: ["driver_odv:boosted", "driver_odv:busy", "driver_odv:tagline", "driver_odv:per_trip"],
        entities: { driver_id: [1001] },
        request_context: { boost: [1], label: ["x"] },
        full_feature_names: true,
      });
      expect(res.metadata.feature_names).toEqual([
        "driver_id",
        "driver_odv__boosted",
        "driver_odv__busy",
        "driver_odv__tagline",
        "driver_odv__per_trip",
      ]);
      expect(res.metadata.reasons).toBeUndefined();
    });

    const refusals: [string, Partial<GetOnlineFeaturesInput>, string, RegExp][] = [
      [
        "a missing request field",
        { request_context: { boost: [1] } },
        "request_context.label",
        /"label" is missing/,
      ],
      [
        "a value of the wrong type",
        { request_context: { boost: [1, "fast"], label: ["a", "b"] } },
        "request_context.boost.1",
        /request_context\.boost\[1\]: expected a number, got "fast"/,
      ],
      [
        "a column of the wrong length",
        { request_context: { boost: [1], label: ["a", "b"] } },
        "request_context.boost",
        /has 1 values but there are 2 entity rows/,
      ],
      [
        "a field no view declares",
        { request_context: { boost: [1, 1], label: ["a", "b"], speed: [1, 2] } },
        "request_context.speed",
        /does not declare|no requested on-demand view declares "speed"/,
      ],
      [
        "an unknown on-demand feature",
        { features: ["driver_odv:nope"], request_context: { boost: [1, 1], label: ["a", "b"] } },
        "features.0",
        /on-demand view "driver_odv" has no feature "nope"/,
      ],
    ];
    for (const [what, over, field, message] of refusals)
      it(`refuses ${what} with a 400 naming ${field}`, async () => {
        await expect(
          get({ features: ["driver_odv:boosted"], entities: { driver_id: [1001, 1002] }, ...over }),
        ).rejects.toMatchObject({ code: "INVALID", field, message: expect.stringMatching(message) });
      });

    it("refuses request_context when no on-demand feature is asked for", async () => {
      await expect(
        get({
          features: ["driver_hourly_stats:conv_rate"],
          entities: { driver_id: [1001] },
          request_context: { boost: [1] },
        }),
      ).rejects.toMatchObject({ code: "INVALID", field: "request_context.boost" });
    });
  });
}
