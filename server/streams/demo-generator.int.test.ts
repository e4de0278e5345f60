import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisUrlOrSkip } from "../../test/db";
import { deleteByPrefix } from "../online/test-redis";
import { parseMessage } from "./consumer";
import { produceDemoEvents } from "./demo-generator";
import { createRedisStreamAdapter } from "./redis-adapter";
import { StreamViewSpec } from "./schemas";
import { consumerSpecOf } from "./worker";

const redisUrl = redisUrlOrSkip();

describe.skipIf(!redisUrl)("demo-stream's generator", () => {
  let redis: Redis;
  const prefix = `test:streams:${randomBytes(4).toString("hex")}:`;
  beforeAll(() => {
    redis = new Redis(redisUrl as string, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    await deleteByPrefix(redis, prefix);
    redis.disconnect();
  });

  it("sends events at the rate asked that the view's consumer reads as events", async () => {
    const spec = StreamViewSpec.parse({
      name: "trips",
      entities: ["driver"],
      stream: { key: `${prefix}trips` },
      timestampField: "ts",
      eventIdField: "event_id",
      aggregations: [
        { name: "trips_5m", function: "count", windowSeconds: 300 },
        { name: "fare_avg_5m", column: "fare", function: "avg", windowSeconds: 300 },
      ],
    });
    const view = {
      id: "x",
      name: "trips",
      version: 1,
      currentVersion: 1,
      spec,
      joinKeys: ["driver_id"],
      createdBy: "test",
      createdAt: new Date(),
      updatedAt: new Date(),
    };
    const before = Date.now();
    const sent = await produceDemoEvents({ redis, view, rate: 50, durationSeconds: 1, entities: 3 });
    // rate × duration, whatever the ticks' delays
    expect(sent).toBe(50);
    const adapter = createRedisStreamAdapter({
      key: spec.stream.key,
      group: "g",
      consumer: "c",
      client: new Redis(redisUrl as string, { maxRetriesPerRequest: 1 }),
    });
    await adapter.ensureGroup();
    const messages = await adapter.read(1000, 100);
    await adapter.close();
    expect(messages).toHaveLength(sent);
    const events = messages.map((m) => parseMessage(consumerSpecOf({ ...view, project: "demo" }), m));
    for (const e of events) {
      if (typeof e === "string") throw new Error(e);
      expect(e.tsMs).toBeGreaterThanOrEqual(before - 1);
      expect(Number(e.values.fare)).toBeGreaterThanOrEqual(0);
      expect(["1001", "1002", "1003"]).toContain(e.values.driver_id);
    }
    expect(new Set(events.map((e) => (typeof e === "string" ? e : e.id))).size).toBe(sent);
  });
});
