import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, redisUrlOrSkip, type TestDb, testCtx } from "../../test/db";
import { seedBasics } from "../../test/fixtures/registry";
import type { Ctx } from "../core/context";
import { NotFoundError } from "../core/errors";
import { connectRedis } from "../online/redis-client";
import { deadPort, deleteByPrefix } from "../online/test-redis";
import { readViewsLag, streamViewLag } from "./lag-op";
import { createStreamView } from "./registry";
import { type StreamWorker, startStreamWorker } from "./worker";

const redisUrl = redisUrlOrSkip();

describe.skipIf(!redisUrl)("streamViews.lag", () => {
  let t: TestDb;
  let ctx: Ctx;
  let redis: Redis;
  // the op reads the deployment's keys (prefix ""): a view name of this run's own keeps them apart
  const view = `lag_${randomBytes(4).toString("hex")}`;
  const streamKey = `proj:test:${view}`;
  let worker: StreamWorker | undefined;

  beforeAll(async () => {
    t = await createTestDb();
    ctx = testCtx(t);
    await seedBasics(ctx, t);
    redis = new Redis(redisUrl as string, { maxRetriesPerRequest: 1 });
    await createStreamView({
      ctx,
      input: {
        project: "proj",
        spec: {
          name: view,
          entities: ["driver"],
          stream: { adapter: "redis", key: streamKey },
          timestampField: "ts",
          allowedLatenessSeconds: 60,
          aggregations: [{ name: "trips_1h", function: "count", windowSeconds: 3600 }],
        },
      },
    });
  });
  afterAll(async () => {
    await worker?.stop();
    await deleteByPrefix(redis, `qs:proj:${view}:`);
    await redis.del(streamKey);
    redis.disconnect();
    await t?.drop();
  });

  const lagOf = async () => {
    const out = await streamViewLag({ ctx, input: { project: "proj", name: view } });
    if (!out.available) throw new Error(out.reason);
    const [row] = out.views;
    if (!row) throw new Error("no row");
    return row;
  };

  it("says there is no stream and no group before a producer or a worker ran", async () => {
    expect(await lagOf()).toMatchObject({
      name: view,
      streamKey,
      streamExists: false,
      streamLength: 0,
      lastEntryId: null,
      group: null,
      watermarkMs: null,
      applied: 0,
      late: 0,
    });
  });

  it("shows the group's lag, consumers and late events once a worker consumed, and the lag growing after it stopped", async () => {
    const T0 = Date.now() - 60_000;
    for (let i = 0; i < 4; i++)
      await redis.xadd(streamKey, "*", "driver_id", String(i % 2), "ts", String(T0 + i * 1000));
    // ten minutes behind the watermark, past the 60 s lateness: dropped and counted
    await redis.xadd(streamKey, "*", "driver_id", "1", "ts", String(T0 - 600_000));
    worker = await startStreamWorker({
      ctxFor: () => ctx,
      redisUrl: redisUrl as string,
      consumerSuffix: "-lag",
    });

    const deadline = Date.now() + 20_000;
    let row = await lagOf();
    while (!(row.group?.lag === 0 && row.group.pending === 0 && row.applied + row.late === 5)) {
      if (Date.now() > deadline) throw new Error(`never drained: ${JSON.stringify(row)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      row = await lagOf();
    }
    expect(row).toMatchObject({ streamExists: true, streamLength: 5, applied: 4, late: 1, duplicates: 0 });
    expect(row.watermarkMs).toBe(T0 + 3000);
    expect(row.behindMs).toBeGreaterThanOrEqual(57_000);
    expect(row.group?.lastDeliveredId).toBe(row.lastEntryId);
    expect(row.group?.lastDeliveredAt?.getTime()).toBe(Number(row.lastEntryId?.split("-")[0]));
    expect(row.group?.consumers).toHaveLength(1);
    expect(row.group?.consumers[0]?.name).toMatch(/-lag$/);
    expect(row.group?.consumers[0]?.pending).toBe(0);

    await worker.stop();
    worker = undefined;
    await redis.xadd(streamKey, "*", "driver_id", "0", "ts", String(Date.now()));
    await redis.xadd(streamKey, "*", "driver_id", "0", "ts", String(Date.now()));
    expect((await lagOf()).group).toMatchObject({ lag: 2, pending: 0 });

    // every view of the project when no name is given
    const all = await streamViewLag({ ctx, input: { project: "proj" } });
    expect(all.available && all.views.map((v) => v.name)).toEqual([view]);
  });

  it("is a 404 for an unknown view", async () => {
    await expect(streamViewLag({ ctx, input: { project: "proj", name: "nope" } })).rejects.toThrow(
      NotFoundError,
    );
  });

  it("answers unavailable, not an error, when Redis is not configured or not reachable", async () => {
    const views = [{ name: view, streamKey }];
    const missing = await readViewsLag(
      () => Promise.reject(new Error("stream view features need REDIS_URL")),
      "",
      "proj",
      views,
    );
    expect(missing).toEqual({
      available: false,
      reason: "Redis is unavailable: stream view features need REDIS_URL",
    });
    const dead = connectRedis(`redis://127.0.0.1:${await deadPort()}`, { timeoutMs: 300 });
    try {
      const down = await readViewsLag(async () => dead, "", "proj", views);
      expect(down.available).toBe(false);
    } finally {
      dead.disconnect();
    }
  });
});
