import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, redisUrlOrSkip, type TestDb, testCtx } from "../../test/db";
import { seedBasics } from "../../test/fixtures/registry";
import type { Ctx } from "../core/context";
import { entityKey } from "../online/entity-key";
import { deleteByPrefix } from "../online/test-redis";
import { groupName } from "./consumer";
import { streamViewLag } from "./lag";
import { offlineSinkFor } from "./offline-append";
import { createRedisStreamAdapter } from "./redis-adapter";
import { createStreamView } from "./registry";
import { readStreamState, readWindows } from "./tiles";
import { consumerSpecOf, type StreamWorker, startStreamWorker } from "./worker";

const redisUrl = redisUrlOrSkip();

describe.skipIf(!redisUrl)("the stream worker", () => {
  let t: TestDb;
  let ctx: Ctx;
  let redis: Redis;
  const prefix = `test:streams:${randomBytes(4).toString("hex")}:`;
  // The project's own namespace ("proj:"), then the test's prefix for cleanup.
  const streamKey = `proj:${prefix}trips`;
  const workers: StreamWorker[] = [];

  beforeAll(async () => {
    t = await createTestDb();
    ctx = testCtx(t);
    await seedBasics(ctx, t);
    redis = new Redis(redisUrl as string, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    for (const w of workers) await w.stop();
    await deleteByPrefix(redis, prefix);
    await redis.del(streamKey);
    redis.disconnect();
    await t?.drop();
  });

  it("runs a view's consumers in two workers, counts each event once and appends it offline once", async () => {
    const view = await createStreamView({
      ctx,
      input: {
        project: "proj",
        spec: {
          name: "trips",
          entities: ["driver"],
          stream: { adapter: "redis", key: streamKey },
          timestampField: "ts",
          eventIdField: "event_id",
          tileSeconds: 60,
          allowedLatenessSeconds: 600,
          aggregations: [
            { name: "trips_1h", function: "count", windowSeconds: 3600 },
            { name: "fare_max_1h", column: "fare", function: "max", windowSeconds: 3600 },
          ],
        },
      },
    });
    const T0 = Date.now() - 600_000;
    const pipe = redis.pipeline();
    for (let i = 0; i < 300; i++)
      pipe.xadd(
        streamKey,
        "*",
        "event_id",
        `e${i}`,
        "driver_id",
        String(i % 3),
        "ts",
        String(T0 + i * 1000),
        "fare",
        String(i),
      );
    // the producer re-sends 30 events
    for (let i = 0; i < 30; i++)
      pipe.xadd(
        streamKey,
        "*",
        "event_id",
        `e${i}`,
        "driver_id",
        String(i % 3),
        "ts",
        String(T0 + i * 1000),
        "fare",
        String(i),
      );
    await pipe.exec();

    for (const suffix of ["-a", "-b"])
      workers.push(
        await startStreamWorker({
          ctxFor: () => ctx,
          redisUrl: redisUrl as string,
          prefix,
          batchSize: 40,
          consumerSuffix: suffix,
          sinkFor: (v) => offlineSinkFor(() => ctx, v),
        }),
      );
    expect(workers.map((w) => [...w.consumers().keys()])).toEqual([["proj:trips"], ["proj:trips"]]);

    // wait on the group's own figures: nothing left to deliver, nothing unacknowledged
    const probe = createRedisStreamAdapter({
      key: streamKey,
      group: groupName("proj", "trips"),
      consumer: "probe",
      client: new Redis(redisUrl as string, { maxRetriesPerRequest: 1 }),
    });
    const deadline = Date.now() + 20_000;
    for (;;) {
      const { lag, pending } = await probe.lag();
      if (lag === 0 && pending === 0) break;
      if (Date.now() > deadline) throw new Error(`never drained: lag ${lag}, pending ${pending}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await probe.close();

    const lag = await streamViewLag(redis, prefix, { project: "proj", name: "trips", streamKey });
    expect(lag).toMatchObject({
      lag: 0,
      pending: 0,
      applied: 300,
      duplicates: 30,
      late: 0,
      watermarkMs: T0 + 299_000,
    });
    expect(lag.behindMs).toBeGreaterThan(0);
    // a view whose stream does not exist yet is not behind
    expect(
      await streamViewLag(redis, prefix, { project: "proj", name: "none", streamKey: `${prefix}none` }),
    ).toMatchObject({ lag: 0, pending: 0, watermarkMs: null });

    const stats = workers.map((w) => w.consumers().get("proj:trips")?.stats);
    expect(stats.every((s) => (s?.messages ?? 0) > 0)).toBe(true);
    expect(stats.reduce((n, s) => n + (s?.messages ?? 0), 0)).toBe(330);
    expect(await readStreamState(redis, prefix, "proj", "trips")).toMatchObject({
      applied: 300,
      duplicates: 30,
      late: 0,
    });
    const values = await readWindows(
      redis,
      prefix,
      consumerSpecOf({ ...view, project: "proj" }),
      [0, 1, 2].map((d) => entityKey({ driver_id: d })),
      Date.now(),
    );
    expect(values.map((v) => v?.trips_1h?.value)).toEqual([100, 100, 100]);
    expect(values.map((v) => v?.fare_max_1h?.value)).toEqual([297, 298, 299]);

    const offline = await t.offlineSql(
      "proj",
      "select count(*)::int as n, count(distinct event_id)::int as ids, min(event_timestamp) as first, sum((fields->>'fare')::int)::int as fares from proj.stream_trips",
    );
    expect(offline.rows[0]).toMatchObject({ n: 300, ids: 300, first: new Date(T0), fares: (299 * 300) / 2 });
  });
});
