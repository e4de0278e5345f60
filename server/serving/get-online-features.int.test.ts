import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { ago, driverKey, PROJECT, postJson, STORE_KINDS, seedServing } from "../../test/helpers/serving";
import type { Ctx, UsageSink } from "../core/context";
import { InvalidError } from "../core/errors";
import { entityKey } from "../online/entity-key";
import { handleGetOnlineFeatures } from "../web/http-handlers";
import { type GetOnlineFeaturesInput, getOnlineFeatures, servingLimits } from "./get-online-features";

let t: TestDb;

beforeAll(async () => {
  t = await createTestDb();
  await seedServing(testCtx(t), t);
});
afterAll(() => t.drop());

/** A recent event time with milliseconds, so the answer's whole-second rounding is visible. */
const recent = new Date(Math.floor(Date.now() / 1000) * 1000 - 3600_000 + 789);
const recentIso = new Date(recent.getTime() - 789).toISOString().replace(".000Z", "Z");
const EPOCH = "1970-01-01T00:00:00Z";

async function expectInvalid(work: Promise<unknown>, message: RegExp, field?: string) {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InvalidError);
  expect((err as InvalidError).message).toMatch(message);
  if (field !== undefined) expect((err as InvalidError).field).toBe(field);
}

for (const store of STORE_KINDS) {
  describe.skipIf(store.skip)(`get-online-features on the ${store.kind} store`, () => {
    let ctx: Ctx;
    let close: () => Promise<void>;
    const get = (input: GetOnlineFeaturesInput) =>
      getOnlineFeatures({ ctx, input: { project: PROJECT, ...input } });

    beforeAll(async () => {
      ({ ctx, close } = await store.open(t));
      await ctx.online.write(PROJECT, "driver_hourly_stats", [
        {
          entityKey: driverKey(1001),
          eventTs: recent,
          values: { conv_rate: 0.71, acc_rate: 0.93, avg_daily_trips: 12 },
        },
        // acc_rate stored as null, avg_daily_trips absent from the row
        { entityKey: driverKey(1002), eventTs: recent, values: { conv_rate: 0.5, acc_rate: null } },
        // older than the view's one-day ttl
        { entityKey: driverKey(1003), eventTs: ago(2 * 86400), values: { conv_rate: 0.1, acc_rate: 0.2 } },
        // beyond 2^53: kept as its decimal string
        { entityKey: driverKey("9007199254740993"), eventTs: recent, values: { conv_rate: 0.9 } },
      ]);
      await ctx.online.write(PROJECT, "driver_profile", [
        // ttl 0: never too old
        {
          entityKey: driverKey(1001),
          eventTs: ago(400 * 86400),
          values: { conv_rate: 0.3, city: "Oslo", tags: ["a"] },
        },
      ]);
      await ctx.online.write(PROJECT, "customer_trips", [
        {
          entityKey: entityKey({ driver_id: 1001, customer_id: "c1" }),
          eventTs: recent,
          values: { trips_together: 4 },
        },
      ]);
    });
    afterAll(() => close());

    it("answers columnar, join keys first, with a status and a whole-second time per value", async () => {
      const res = await get({
        features: ["driver_hourly_stats:conv_rate", "driver_hourly_stats:acc_rate"],
        entities: { driver_id: [1001, 4242] },
      });
      expect(res).toEqual({
        metadata: { feature_names: ["driver_id", "conv_rate", "acc_rate"] },
        results: [
          { values: [1001, 4242], statuses: ["PRESENT", "PRESENT"], event_timestamps: [EPOCH, EPOCH] },
          { values: [0.71, null], statuses: ["PRESENT", "NOT_FOUND"], event_timestamps: [recentIso, EPOCH] },
          { values: [0.93, null], statuses: ["PRESENT", "NOT_FOUND"], event_timestamps: [recentIso, EPOCH] },
        ],
      });
    });

    it("tells a stored null (NULL_VALUE) from a feature the row lacks (NOT_FOUND)", async () => {
      const res = await get({
        features: ["driver_hourly_stats:acc_rate", "driver_hourly_stats:avg_daily_trips"],
        entities: { driver_id: [1002] },
      });
      expect(res.results.slice(1)).toEqual([
        { values: [null], statuses: ["NULL_VALUE"], event_timestamps: [recentIso] },
        { values: [null], statuses: ["NOT_FOUND"], event_timestamps: [EPOCH] },
      ]);
    });

    it("reports values older than the view's ttl as OUTSIDE_MAX_AGE, without the value", async () => {
      const res = await get({
        features: ["driver_hourly_stats:conv_rate", "driver_profile:city"],
        entities: { driver_id: [1003, 1001] },
      });
      const [, conv, city] = res.results;
      expect(conv?.statuses).toEqual(["OUTSIDE_MAX_AGE", "PRESENT"]);
      expect(conv?.values).toEqual([null, 0.71]);
      expect(conv?.event_timestamps[0]).not.toBe(EPOCH);
      // driver_profile has ttl 0: a 400-day-old value is still served
      expect(city?.statuses).toEqual(["NOT_FOUND", "PRESENT"]);
      expect(city?.values).toEqual([null, "Oslo"]);
    });

    it("takes int64 keys as numbers or decimal strings and echoes them as given", async () => {
      const res = await get({
        features: ["driver_hourly_stats:conv_rate"],
        entities: { driver_id: ["1001", "9007199254740993", 1001, "001001"] },
      });
      expect(res.results[0]?.values).toEqual(["1001", "9007199254740993", 1001, "001001"]);
      expect(res.results[1]?.values).toEqual([0.71, 0.9, 0.71, 0.71]);
    });

    it("names columns view__feature with full_feature_names", async () => {
      const res = await get({
        features: ["driver_hourly_stats:conv_rate", "driver_profile:conv_rate"],
        entities: { driver_id: [1001] },
        full_feature_names: true,
      });
      expect(res.metadata.feature_names).toEqual([
        "driver_id",
        "driver_hourly_stats__conv_rate",
        "driver_profile__conv_rate",
      ]);
      expect(res.results.map((r) => r.values[0])).toEqual([1001, 0.71, 0.3]);
    });

    it("refuses two features answering to one name without full_feature_names", async () => {
      await expectInvalid(
        get({
          features: ["driver_hourly_stats:conv_rate", "driver_profile:conv_rate"],
          entities: { driver_id: [1001] },
        }),
        /would both be named "conv_rate".*full_feature_names/,
        "full_feature_names",
      );
    });

    it("expands a feature service, view:* in the view's field order", async () => {
      const res = await get({
        feature_service: "driver_activity",
        entities: { driver_id: [1001] },
        full_feature_names: true,
      });
      expect(res.metadata.feature_names).toEqual([
        "driver_id",
        "driver_hourly_stats__conv_rate",
        "driver_hourly_stats__acc_rate",
        "driver_profile__conv_rate",
        "driver_profile__city",
        "driver_profile__tags",
      ]);
      expect(res.results.map((r) => r.values[0])).toEqual([1001, 0.71, 0.93, 0.3, "Oslo", ["a"]]);
      await expectInvalid(
        get({ feature_service: "driver_activity", entities: { driver_id: [1001] } }),
        /full_feature_names/,
      );
    });

    it("reads views keyed by different join keys in one store call", async () => {
      const read = vi.spyOn(ctx.online, "read");
      try {
        const res = await get({
          features: ["customer_trips:trips_together", "driver_hourly_stats:conv_rate"],
          entities: { customer_id: ["c1", "c2"], driver_id: [1001, 1001] },
        });
        expect(read).toHaveBeenCalledTimes(1);
        expect(res.metadata.feature_names).toEqual([
          "customer_id",
          "driver_id",
          "trips_together",
          "conv_rate",
        ]);
        expect(res.results[2]).toMatchObject({ values: [4, null], statuses: ["PRESENT", "NOT_FOUND"] });
        expect(res.results[3]).toMatchObject({ values: [0.71, 0.71], statuses: ["PRESENT", "PRESENT"] });
      } finally {
        read.mockRestore();
      }
    });

    it("answers through the HTTP handler", async () => {
      const res = await handleGetOnlineFeatures(
        postJson("get-online-features", {
          features: ["driver_hourly_stats:conv_rate"],
          entities: { driver_id: [1001] },
          project: PROJECT,
        }),
        async () => ctx,
      );
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/application\/json/);
      expect(await res.json()).toEqual({
        metadata: { feature_names: ["driver_id", "conv_rate"] },
        results: [
          { values: [1001], statuses: ["PRESENT"], event_timestamps: [EPOCH] },
          { values: [0.71], statuses: ["PRESENT"], event_timestamps: [recentIso] },
        ],
      });
    });

    it("answers bad requests through the HTTP handler with 400 and the field", async () => {
      const res = await handleGetOnlineFeatures(
        postJson("get-online-features", {
          features: ["nope:x"],
          entities: { driver_id: [1] },
          project: PROJECT,
        }),
        async () => ctx,
      );
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error: 'features.0: feature view "nope" not found in project "proj"',
        field: "features.0",
      });
    });
  });
}

describe("get-online-features refuses bad requests, naming what is wrong", () => {
  let ctx: Ctx;
  beforeAll(() => {
    ctx = testCtx(t);
  });
  const get = (input: Partial<GetOnlineFeaturesInput>) =>
    getOnlineFeatures({
      ctx,
      input: {
        project: PROJECT,
        features: ["driver_hourly_stats:conv_rate"],
        entities: { driver_id: [1] },
        ...input,
      },
    });

  it("an unknown view, feature, feature service or project", async () => {
    await expectInvalid(
      get({ features: ["driver_hourly_stats:conv_rate", "ghost:x"] }),
      /features\.1: feature view "ghost" not found/,
      "features.1",
    );
    await expectInvalid(
      get({ features: ["driver_hourly_stats:speed"] }),
      /feature view "driver_hourly_stats" has no feature "speed"/,
      "features.0",
    );
    await expectInvalid(
      get({ features: undefined, feature_service: "ghost_service" }),
      /feature service "ghost_service" not found/,
      "feature_service",
    );
    await expectInvalid(get({ project: "ghost" }), /project "ghost" not found/, "project");
  });

  it("a malformed, repeated or offline-only feature reference", async () => {
    await expectInvalid(get({ features: ["conv_rate"] }), /"view:feature"/, "features.0");
    await expectInvalid(
      get({ features: ["driver_hourly_stats:conv_rate", "driver_hourly_stats:conv_rate"] }),
      /requested twice/,
      "features.1",
    );
    await expectInvalid(get({ features: ["driver_archive:acc_rate"] }), /not served online/, "features.0");
  });

  it("both or neither of features and feature_service, or no features", async () => {
    await expectInvalid(get({ feature_service: "driver_activity" }), /not both/, "features");
    await expectInvalid(get({ features: undefined }), /is required/, "features");
    await expectInvalid(get({ features: [] }), /must not be empty/, "features");
  });

  it("an entity column that no requested view uses, or a missing join key", async () => {
    await expectInvalid(
      get({ entities: { driver_id: [1], rider_id: [2] } }),
      /entities\.rider_id: "rider_id" is not a join key/,
      "entities.rider_id",
    );
    await expectInvalid(
      get({ features: ["customer_trips:trips_together"], entities: { driver_id: [1] } }),
      /join key "customer_id" is missing; feature view "customer_trips" needs it/,
      "entities.customer_id",
    );
  });

  it("columns of different lengths, no rows, or too many rows", async () => {
    await expectInvalid(
      get({
        features: ["customer_trips:trips_together"],
        entities: { driver_id: [1, 2], customer_id: ["a"] },
      }),
      /entities\.customer_id: has 1 values but entities\.driver_id has 2/,
      "entities.customer_id",
    );
    await expectInvalid(get({ entities: {} }), /^entities must not be empty$/, "entities");
    await expectInvalid(get({ entities: { driver_id: [] } }), /^entities must not be empty$/, "entities");
    const many = Array.from({ length: servingLimits().maxEntities + 1 }, (_, i) => i);
    await expectInvalid(
      get({ entities: { driver_id: many } }),
      /^batch too large: 1001 rows, limit 1000 \(QUIVER_SERVING_MAX_ENTITIES\)$/,
      "entities",
    );
  });

  it("entity values of the wrong type, naming column and row", async () => {
    await expectInvalid(
      get({ entities: { driver_id: [1, "abc"] } }),
      /entities\.driver_id\[1\]: expected an int64.*got "abc"/,
      "entities.driver_id.1",
    );
    await expectInvalid(
      get({ entities: { driver_id: [1.5] } }),
      /entities\.driver_id\[0\]/,
      "entities.driver_id.0",
    );
    await expectInvalid(get({ entities: { driver_id: [null] } }), /got null/, "entities.driver_id.0");
    await expectInvalid(get({ entities: { driver_id: ["99999999999999999999"] } }), /expected an int64/);
    // 2^53 + 1 as a JSON number has already been rounded by the parser
    await expectInvalid(get({ entities: { driver_id: [2 ** 53 + 2] } }), /expected an int64/);
    await expectInvalid(
      get({
        features: ["customer_trips:trips_together"],
        entities: { driver_id: [1], customer_id: [7] },
      }),
      /entities\.customer_id\[0\]: expected a string, got 7/,
    );
  });

  it("a body of the wrong shape", async () => {
    await expectInvalid(
      getOnlineFeatures({ ctx, input: { features: ["a:b"] } as unknown as GetOnlineFeaturesInput }),
      /^entities: /,
      "entities",
    );
    await expectInvalid(
      getOnlineFeatures({
        ctx,
        input: { features: ["a:b"], entities: { driver_id: 1 } } as unknown as GetOnlineFeaturesInput,
      }),
      /^entities\.driver_id: /,
      "entities.driver_id",
    );
  });

  it("uses QUIVER_DEFAULT_PROJECT when the request names no project", async () => {
    await expectInvalid(
      getOnlineFeatures({
        ctx,
        input: { features: ["driver_hourly_stats:conv_rate"], entities: { driver_id: [1] } },
      }),
      /project "demo" not found/,
      "project",
    );
  });
});

describe("get-online-features counts what it served", () => {
  it("tells the usage sink which views were read, for how many rows, by whom", async () => {
    const reads: Parameters<UsageSink["viewsRead"]>[0][] = [];
    const usage: UsageSink = { keyUsed() {}, viewsRead: (r) => reads.push(r) };
    const key = { kind: "api_key" as const, id: "k1", name: "k", projectId: "", role: "consumer" as const };
    const ctx = testCtx(t, { usage });
    const project = (await t.db.query.projects.findFirst({ where: (p, { eq }) => eq(p.name, PROJECT) }))?.id;
    if (!project) throw new Error("no project");
    key.projectId = project;
    await getOnlineFeatures({
      ctx: { ...ctx, actor: key },
      input: {
        project: PROJECT,
        feature_service: "driver_activity",
        full_feature_names: true,
        entities: { driver_id: [1, 2, 3] },
      },
    });
    const views = await t.db.query.featureViews.findMany({ where: (v, { eq }) => eq(v.projectId, project) });
    const id = (name: string) => views.find((v) => v.name === name)?.id;
    expect(reads).toEqual([
      {
        projectId: project,
        viewIds: [id("driver_hourly_stats"), id("driver_profile")],
        entities: 3,
        caller: { kind: "api_key", id: "k1" },
        projectName: PROJECT,
        viewNames: ["driver_hourly_stats", "driver_profile"],
      },
    ]);
    // a refused lookup reads nothing and counts nothing
    await expect(
      getOnlineFeatures({
        ctx: { ...ctx, actor: key },
        input: { project: PROJECT, features: ["nope:x"], entities: { driver_id: [1] } },
      }),
    ).rejects.toThrow(/not found/);
    expect(reads).toHaveLength(1);
  });
});
