import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisUrlOrSkip } from "../../test/db";
import { entityKey } from "../online/entity-key";
import { deleteByPrefix } from "../online/test-redis";
import { groupName, StreamConsumer, type StreamConsumerSpec } from "./consumer";
import { createRedisStreamAdapter } from "./redis-adapter";
import type { StreamEvent } from "./spec";
import { readStreamState, readWindows } from "./tiles";

const redisUrl = redisUrlOrSkip();

describe.skipIf(!redisUrl)("stream consumers in one group on Redis Streams", () => {
  let redis: Redis;
  const prefix = `test:streams:${randomBytes(4).toString("hex")}:`;
  const streamKey = `${prefix}events`;
  const spec: StreamConsumerSpec = {
    project: "p",
    view: "trips",
    tileSeconds: 60,
    allowedLatenessSeconds: 3600,
    joinKeys: ["driver_id"],
    timestampField: "ts",
    eventIdField: "event_id",
    aggregations: [
      { name: "trips_1h", column: "", function: "count", windowSeconds: 3600, kind: "sliding" },
      { name: "fare_sum_1h", column: "fare", function: "sum", windowSeconds: 3600, kind: "sliding" },
    ],
  };
  const adapter = (consumer: string) =>
    createRedisStreamAdapter({
      key: streamKey,
      group: groupName(spec.project, spec.view),
      consumer,
      client: new Redis(redisUrl as string, { maxRetriesPerRequest: 1 }),
    });

  beforeAll(() => {
    redis = new Redis(redisUrl as string, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    await deleteByPrefix(redis, prefix);
    redis.disconnect();
  });

  it("counts every event exactly once across two consumers and a dead one's pending entries", async () => {
    const T0 = Date.now() - 60_000;
    // 500 events of 5 drivers, fare = 1; the producer then re-sends 100 of them (same event id)
    const pipe = redis.pipeline();
    for (let i = 0; i < 500; i++)
      pipe.xadd(
        streamKey,
        "*",
        "event_id",
        `e${i}`,
        "driver_id",
        String(i % 5),
        "ts",
        String(T0 + i * 10),
        "fare",
        "1",
      );
    for (let i = 0; i < 100; i++)
      pipe.xadd(
        streamKey,
        "*",
        "event_id",
        `e${i * 3}`,
        "driver_id",
        String((i * 3) % 5),
        "ts",
        String(T0 + i * 30),
        "fare",
        "1",
      );
    pipe.xadd(streamKey, "*", "event_id", "bad", "ts", String(T0)); // no driver_id
    await pipe.exec();

    // a consumer takes 150 entries and dies before acknowledging them
    const dead = adapter("dead");
    await dead.ensureGroup();
    expect(await dead.read(150, 100)).toHaveLength(150);
    await dead.close();

    const appended: StreamEvent[] = [];
    const consumers = ["b", "c"].map(
      (name) =>
        new StreamConsumer({
          spec,
          adapter: adapter(name),
          redis,
          prefix,
          batchSize: 100,
          blockMs: 50,
          claimIdleMs: 1500,
          sink: async (events) => {
            appended.push(...events);
          },
        }),
    );
    const probe = adapter("probe");
    const deadline = Date.now() + 20_000;
    for (;;) {
      await Promise.all(consumers.map((c) => c.step()));
      const { lag, pending } = await probe.lag();
      if (lag === 0 && pending === 0) break;
      if (Date.now() > deadline) throw new Error(`group never drained: lag ${lag}, pending ${pending}`);
    }
    await probe.close();

    const [b, c] = consumers.map((x) => x.stats);
    expect(b?.messages).toBeGreaterThan(0);
    expect(c?.messages).toBeGreaterThan(0);
    // 601 entries: 150 taken over from the dead consumer, 451 read new
    expect((b?.messages ?? 0) + (c?.messages ?? 0)).toBe(601);
    expect((b?.claimed ?? 0) + (c?.claimed ?? 0)).toBe(150);
    expect((b?.invalid ?? 0) + (c?.invalid ?? 0)).toBe(1);
    expect(await readStreamState(redis, prefix, "p", "trips")).toMatchObject({
      applied: 500,
      duplicates: 100,
      late: 0,
    });
    const values = await readWindows(
      redis,
      prefix,
      spec,
      [0, 1, 2, 3, 4].map((d) => entityKey({ driver_id: d })),
      T0 + 5_000,
    );
    expect(values.map((v) => v?.trips_1h?.value)).toEqual([100, 100, 100, 100, 100]);
    expect(values.map((v) => v?.fare_sum_1h?.value)).toEqual([100, 100, 100, 100, 100]);
    // the sink saw every counted arrival: 500 events and their 100 replays
    expect(appended).toHaveLength(600);
    expect(new Set(appended.map((e) => e.id)).size).toBe(500);
  });
  it("retries the batch in hand when its sink fails, counting it once", async () => {
    const key = `${prefix}retry`;
    for (let i = 0; i < 10; i++)
      await redis.xadd(
        key,
        "*",
        "event_id",
        `r${i}`,
        "driver_id",
        "9",
        "ts",
        String(Date.now() - 1000),
        "fare",
        "1",
      );
    const view = { ...spec, view: "retry" };
    let failures = 1;
    const appended: string[] = [];
    const consumer = new StreamConsumer({
      spec: view,
      adapter: createRedisStreamAdapter({
        key,
        group: groupName("p", "retry"),
        consumer: "x",
        client: new Redis(redisUrl as string, { maxRetriesPerRequest: 1 }),
      }),
      redis,
      prefix,
      blockMs: 50,
      sink: async (events) => {
        if (failures-- > 0) throw new Error("offline store down");
        appended.push(...events.map((e) => e.id));
      },
    });
    await consumer.opts.adapter.ensureGroup();
    await expect(consumer.step()).rejects.toThrow("offline store down");
    // applied once already: the retry finds every event a replay, appends and acknowledges them
    expect(await consumer.step()).toBe(10);
    expect(appended).toHaveLength(10);
    expect(await readStreamState(redis, prefix, "p", "retry")).toMatchObject({ applied: 10, duplicates: 10 });
    expect(await consumer.opts.adapter.lag()).toEqual({ lag: 0, pending: 0 });
    await consumer.opts.adapter.close();
  });
});
