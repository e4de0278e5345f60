import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisUrlOrSkip } from "../../test/db";
import { InvalidError } from "../core/errors";
import { entityKey } from "../online/entity-key";
import { deleteByPrefix } from "../online/test-redis";
import type { StreamConsumerSpec } from "./consumer";
import { readStreamFeatures } from "./serve";
import { applyEvents } from "./tiles";

const redisUrl = redisUrlOrSkip();
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

describe.skipIf(!redisUrl)("stream features in Feast's shape", () => {
  let redis: Redis;
  const prefix = `test:streams:${randomBytes(4).toString("hex")}:`;
  const view: StreamConsumerSpec = {
    project: "p",
    view: "trips",
    tileSeconds: 60,
    allowedLatenessSeconds: 60,
    joinKeys: ["driver_id"],
    timestampField: "ts",
    aggregations: [
      { name: "trips_5m", column: "", function: "count", windowSeconds: 300, kind: "sliding" },
      { name: "fare_avg_5m", column: "fare", function: "avg", windowSeconds: 300, kind: "sliding" },
    ],
  };
  beforeAll(() => {
    redis = new Redis(redisUrl as string, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    await deleteByPrefix(redis, prefix);
    redis.disconnect();
  });

  it("answers values, statuses and event times per entity row, and 0 once the window is empty", async () => {
    await applyEvents(redis, prefix, view, [
      { id: "a", entityKey: entityKey({ driver_id: 1 }), tsMs: T0 + 10_500, values: { fare: "10" } },
      { id: "b", entityKey: entityKey({ driver_id: 1 }), tsMs: T0 + 70_000, values: { fare: "20" } },
      { id: "c", entityKey: entityKey({ driver_id: 2 }), tsMs: T0 + 20_000, values: {} },
    ]);
    const entities = { driver_id: [1, "2", 3] };
    const now = await readStreamFeatures(
      redis,
      prefix,
      view,
      ["trips_5m", "fare_avg_5m"],
      entities,
      new Date(T0 + 120_000),
    );
    expect(now).toEqual([
      {
        values: [2, 1, null],
        statuses: ["PRESENT", "PRESENT", "NOT_FOUND"],
        event_timestamps: ["2026-01-01T12:01:10Z", "2026-01-01T12:00:20Z", "1970-01-01T00:00:00Z"],
      },
      {
        values: [15, null, null],
        statuses: ["PRESENT", "NULL_VALUE", "NOT_FOUND"],
        event_timestamps: ["2026-01-01T12:01:10Z", "2026-01-01T12:00:20Z", "1970-01-01T00:00:00Z"],
      },
    ]);
    // ten minutes on: the windows are empty, the count is 0
    const later = await readStreamFeatures(
      redis,
      prefix,
      view,
      ["trips_5m"],
      entities,
      new Date(T0 + 600_000),
    );
    expect(later[0]?.values).toEqual([0, 0, null]);
    expect(later[0]?.statuses).toEqual(["PRESENT", "PRESENT", "NOT_FOUND"]);
    await expect(readStreamFeatures(redis, prefix, view, ["nope"], entities, new Date(T0))).rejects.toThrow(
      InvalidError,
    );
    await expect(
      readStreamFeatures(redis, prefix, view, ["trips_5m"], { rider_id: [1] }, new Date(T0)),
    ).rejects.toThrow(/entities.driver_id/);
  });
});
