import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, redisUrlOrSkip, type TestDb, testCtx } from "../../test/db";
import { driverViewSpec, seedBasics } from "../../test/fixtures/registry";
import type { Ctx } from "../core/context";
import { InvalidError } from "../core/errors";
import { createOnDemandView } from "../on-demand/registry";
import { entityKey } from "../online/entity-key";
import { deleteByPrefix } from "../online/test-redis";
import { createFeatureView } from "../registry";
import { createStreamView } from "../streams/registry";
import { applyEvents } from "../streams/tiles";
import { consumerSpecOf } from "../streams/worker";
import { getOnlineFeatures } from "./get-online-features";

const redisUrl = redisUrlOrSkip();

describe.skipIf(!redisUrl)("get-online-features with stream view features", () => {
  let t: TestDb;
  let ctx: Ctx;
  let redis: Redis;
  // the serving path reads tiles without a prefix: a view name of this run's own keeps tests apart
  const sv = `trips_${randomBytes(4).toString("hex")}`;

  beforeAll(async () => {
    t = await createTestDb();
    ctx = testCtx(t);
    await seedBasics(ctx, t);
    await createFeatureView({ ctx, input: { project: "proj", spec: driverViewSpec() } });
    redis = new Redis(redisUrl as string, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    await deleteByPrefix(redis, `qs:proj:${sv}:`);
    redis.disconnect();
    await t?.drop();
  });

  it("answers regular and stream features in the request's order, stream values computed now", async () => {
    const view = await createStreamView({
      ctx,
      input: {
        project: "proj",
        spec: {
          name: sv,
          entities: ["driver"],
          stream: { adapter: "redis", key: `proj:test:${sv}` },
          timestampField: "ts",
          aggregations: [
            { name: "trips_5m", function: "count", windowSeconds: 300 },
            { name: "fare_max_5m", column: "fare", function: "max", windowSeconds: 300 },
          ],
        },
      },
    });
    const now = Date.now();
    await applyEvents(redis, "", consumerSpecOf({ ...view, project: "proj" }), [
      { id: "a", entityKey: entityKey({ driver_id: 1001 }), tsMs: now - 1000, values: { fare: "7" } },
      { id: "b", entityKey: entityKey({ driver_id: 1001 }), tsMs: now - 2000, values: { fare: "9" } },
    ]);
    const answer = await getOnlineFeatures({
      ctx,
      input: {
        project: "proj",
        features: [`${sv}:trips_5m`, "driver_hourly_stats:conv_rate", `${sv}:fare_max_5m`],
        entities: { driver_id: [1001, 1002] },
      },
    });
    expect(answer.metadata.feature_names).toEqual(["driver_id", "trips_5m", "conv_rate", "fare_max_5m"]);
    expect(answer.results[0]?.values).toEqual([1001, 1002]);
    expect(answer.results[1]).toMatchObject({ values: [2, null], statuses: ["PRESENT", "NOT_FOUND"] });
    // nothing materialized: the regular view's value is not found, as before
    expect(answer.results[2]?.statuses).toEqual(["NOT_FOUND", "NOT_FOUND"]);
    expect(answer.results[3]).toMatchObject({ values: [9, null], statuses: ["PRESENT", "NOT_FOUND"] });

    const full = await getOnlineFeatures({
      ctx,
      input: {
        project: "proj",
        features: [`${sv}:trips_5m`],
        entities: { driver_id: [1001] },
        full_feature_names: true,
      },
    });
    expect(full.metadata.feature_names).toEqual(["driver_id", `${sv}__trips_5m`]);

    // on-demand features beside stream ones keep their reasons (a missing input row here)
    await createOnDemandView({
      ctx,
      input: {
        project: "proj",
        spec: {
          name: "scores",
          inputs: ["driver_hourly_stats:conv_rate"],
          requestFields: [{ name: "boost", dtype: "float64" }],
          fields: [
            {
              name: "boosted",
              dtype: "float64",
              expression: "driver_hourly_stats.conv_rate * request.boost",
            },
          ],
        },
      },
    });
    const mixed = await getOnlineFeatures({
      ctx,
      input: {
        project: "proj",
        features: ["scores:boosted", `${sv}:trips_5m`],
        entities: { driver_id: [1001] },
        request_context: { boost: [2] },
      },
    });
    expect(mixed.metadata.feature_names).toEqual(["driver_id", "boosted", "trips_5m"]);
    expect(mixed.results[1]?.statuses).toEqual(["NULL_VALUE"]);
    expect((mixed.metadata as { reasons?: Record<string, unknown[]> }).reasons?.boosted?.[0]).toMatch(
      /driver_hourly_stats/,
    );
    expect(mixed.results[2]).toMatchObject({ values: [2], statuses: ["PRESENT"] });

    // a view that is neither kind is still the request's fault, naming the field
    await expect(
      getOnlineFeatures({
        ctx,
        input: { project: "proj", features: ["nope:x"], entities: { driver_id: [1] } },
      }),
    ).rejects.toThrow(InvalidError);
    await expect(
      getOnlineFeatures({
        ctx,
        input: { project: "proj", features: [`${sv}:nope`], entities: { driver_id: [1] } },
      }),
    ).rejects.toThrow(/features.0/);
  });
});
