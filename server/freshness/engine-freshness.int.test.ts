import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, redisUrlOrSkip, type TestDb, testCtx } from "../../test/db";
import { seedBasics } from "../../test/fixtures/registry";
import { recordingJobs } from "../../test/helpers/materialization";
import type { Ctx } from "../core/context";
import { UnavailableError } from "../core/errors";
import { transformationRuns } from "../db/schema";
import { deleteByPrefix } from "../online/test-redis";
import { requireProject } from "../registry";
import { pauseTransformationScheduleOp, setTransformationScheduleOp } from "../schedules";
import { groupName, StreamConsumer } from "../streams/consumer";
import { createRedisStreamAdapter } from "../streams/redis-adapter";
import { createStreamView, getStreamView } from "../streams/registry";
import { consumerSpecOf } from "../streams/worker";
import { createTransformation } from "../transformations/registry";
import { executeTransformationRunOp, runTransformationOp } from "../transformations/runs";
import { getEngineFreshness, type StreamLookup } from "./engine-freshness";
import { getFreshness } from "./get-freshness";
import { probeProjectSources } from "./probe-sources";

// One transformation run for real (so it has a watermark) and one stream view fed through the real
// consumer; each expected figure is counted by hand from the rows and events written here.

const redisUrl = redisUrlOrSkip();
let t: TestDb;
let ctx: Ctx;
let projectId: string;
const jobs = recordingJobs();
const P = "proj";

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t, { jobs });
  await seedBasics(ctx, t);
  projectId = (await requireProject(ctx, P)).id;
});
afterAll(async () => {
  await t?.drop();
});

describe("transformations on the freshness board", () => {
  const row = async () => {
    await probeProjectSources(ctx, projectId);
    const r = await getEngineFreshness({ ctx, input: { project: P } });
    expect(r.transformations).toHaveLength(1);
    return r.transformations[0];
  };

  it("goes from never run to fresh, stale when an input moves past the watermark, and failing", async () => {
    await t.offlineSql(
      P,
      `insert into driver_stats (driver_id, event_timestamp) values
        (1, '2026-01-01T00:00:00Z'), (1, '2026-01-03T00:00:00Z'), (2, '2026-01-05T00:00:00Z')`,
    );
    await createTransformation({
      ctx,
      input: {
        project: P,
        spec: {
          name: "driver_7d",
          sql: `select driver_id, event_timestamp, count(*) over (partition by driver_id order by event_timestamp
                range between interval '7 days' preceding and current row) as trips_7d from driver_stats_source`,
          eventTimestampColumn: "event_timestamp",
        },
      },
    });
    expect(await row()).toMatchObject({
      transformation: "driver_7d",
      status: "never_run",
      watermark: null,
      newestInput: new Date("2026-01-05T00:00:00Z"),
      newestWritten: null,
      inputsUnknown: [],
      behindSeconds: null,
      lastRun: null,
    });

    // an incremental run up to 2026-01-10 (the first is a full refresh; its watermark is its start)
    const run = await runTransformationOp.call({ ctx, input: { project: P, name: "driver_7d" } });
    expect(await executeTransformationRunOp.call({ ctx, input: { runId: run.id } })).toMatchObject({
      status: "succeeded",
      rowsWritten: 3,
    });
    const fresh = await row();
    expect(fresh).toMatchObject({
      status: "fresh",
      newestInput: new Date("2026-01-05T00:00:00Z"),
      newestWritten: new Date("2026-01-05T00:00:00Z"),
      behindSeconds: 0,
      lastRun: { id: run.id, status: "succeeded", mode: "full", error: null },
    });
    const watermark = fresh?.watermark;
    if (!watermark) throw new Error("a successful run sets the watermark");

    // an input event one hour past the watermark: stale by that hour
    const past = new Date(watermark.getTime() + 3_600_000);
    await t.offlineSql(
      P,
      `insert into driver_stats (driver_id, event_timestamp) values (3, '${past.toISOString()}')`,
    );
    expect(await row()).toMatchObject({ status: "stale", newestInput: past, behindSeconds: 3600 });

    // the newest run failed: failing, whatever the watermark says
    await t.db.insert(transformationRuns).values({
      id: "00000000-0000-4000-8000-0000000000f1",
      projectId,
      transformationId: (await t.db.query.transformations.findFirst())?.id as string,
      version: 1,
      mode: "incremental",
      status: "failed",
      error: "the source is unreadable",
      startedBy: "test",
      createdAt: new Date(Date.now() + 1000),
    });
    expect(await row()).toMatchObject({
      status: "failing",
      lastRun: { status: "failed", error: "the source is unreadable" },
    });
    await t.db.delete(transformationRuns).where(eq(transformationRuns.status, "failed"));

    // its schedule's next run, then "paused" (no next run)
    expect(await row()).toMatchObject({ schedule: null });
    await setTransformationScheduleOp.call({
      ctx,
      input: { project: P, transformation: "driver_7d", kind: "every", everyMinutes: 15 },
    });
    const scheduled = (await row())?.schedule;
    expect(scheduled).toMatchObject({ paused: false, description: "every 15 min" });
    expect(scheduled?.nextRunAt?.getTime()).toBeGreaterThan(Date.now() - 1000);
    expect((scheduled?.nextRunAt?.getTime() ?? 0) % (15 * 60_000)).toBe(0);
    await pauseTransformationScheduleOp.call({ ctx, input: { project: P, transformation: "driver_7d" } });
    expect(await row()).toMatchObject({ schedule: { paused: true, nextRunAt: null } });
  });
});

describe.skipIf(!redisUrl)("stream views on the freshness board", () => {
  let redis: Redis;
  const tag = randomBytes(4).toString("hex");
  const prefix = `test:fresh:${tag}:`;
  const streamKey = `${P}:trips:${tag}`;
  const streams = (): StreamLookup => ({ redis: async () => redis, prefix });
  const closed: Redis[] = [];

  beforeAll(async () => {
    redis = new Redis(redisUrl as string, { maxRetriesPerRequest: 1 });
    await createStreamView({
      ctx,
      input: {
        project: P,
        spec: {
          name: "trips_live",
          entities: ["driver"],
          stream: { adapter: "redis", key: streamKey },
          timestampField: "ts",
          eventIdField: "event_id",
          allowedLatenessSeconds: 60,
          aggregations: [{ name: "trips_5m", function: "count", windowSeconds: 300 }],
        },
      },
    });
  });
  afterAll(async () => {
    for (const c of closed) c.disconnect();
    if (redis) {
      await deleteByPrefix(redis, prefix);
      await redis.del(streamKey);
      redis.disconnect();
    }
  });

  it("shows entries waiting, then consumed by the real consumer: lag, consumers, newest event, late events", async () => {
    const T0 = Date.now() - 30_000;
    const add = (id: string, ts: number) =>
      redis.xadd(streamKey, "*", "event_id", id, "driver_id", "1", "ts", String(ts));
    for (let i = 0; i < 5; i++) await add(`e${i}`, T0 + i * 1000);
    await add("late", T0 - 3_600_000); // an hour behind the watermark, past the 60 s allowed

    const stream = async () => {
      const r = await getEngineFreshness({ ctx, input: { project: P }, streams: streams() });
      expect(r.streams).toHaveLength(1);
      return r.streams[0];
    };
    // no consumer group yet: the six entries wait, nobody consumes
    expect(await stream()).toMatchObject({
      streamView: "trips_live",
      streamKey,
      status: "failing",
      error: null,
      lag: 6,
      pending: 0,
      consumers: 0,
      idleMs: null,
      newestEvent: null,
      applied: 0,
      late: 0,
    });

    const view = await getStreamView({ ctx, input: { project: P, name: "trips_live" } });
    const client = new Redis(redisUrl as string, { maxRetriesPerRequest: 1 });
    closed.push(client);
    const adapter = createRedisStreamAdapter({
      key: streamKey,
      group: groupName(P, "trips_live"),
      consumer: "c1",
      client,
    });
    await adapter.ensureGroup();
    const consumer = new StreamConsumer({
      spec: consumerSpecOf({ ...view, project: P }),
      adapter,
      redis,
      prefix,
      blockMs: 10,
    });
    while ((await consumer.step()) > 0) {}
    expect(consumer.stats).toMatchObject({ messages: 6, applied: 5, late: 1 });

    const now = new Date(T0 + 14_000);
    const done = await getEngineFreshness({ ctx, input: { project: P }, now, streams: streams() });
    expect(done.streams[0]).toMatchObject({
      status: "fresh",
      lag: 0,
      pending: 0,
      consumers: 1,
      newestEvent: new Date(T0 + 4000),
      behindMs: 10_000,
      applied: 5,
      duplicates: 0,
      late: 1,
    });
    expect(done.streams[0]?.idleMs).toBeLessThan(60_000);

    // three more arrive while the consumer is active: behind by three entries
    for (let i = 5; i < 8; i++) await add(`e${i}`, T0 + i * 1000);
    expect(await stream()).toMatchObject({ status: "stale", lag: 3, pending: 0, consumers: 1 });
  });

  it("says unavailable when Redis is down or missing, and the rest of the board still loads", async () => {
    // a closed port: the connection never opens, every command fails at once
    const down = new Redis("redis://127.0.0.1:1", {
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      lazyConnect: true,
      retryStrategy: () => null,
    });
    down.on("error", () => {});
    closed.push(down);
    await down.connect().catch(() => {});
    const started = Date.now();
    const r = await getEngineFreshness({
      ctx,
      input: { project: P },
      streams: { redis: async () => down, prefix },
    });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r.streams).toEqual([
      expect.objectContaining({
        streamView: "trips_live",
        status: "unavailable",
        error: "Redis is not answering",
        lag: null,
        consumers: null,
      }),
    ]);
    expect(r.transformations.map((x) => x.transformation)).toEqual(["driver_7d"]);

    // no REDIS_URL: the stream engine's own message
    const missing = await getEngineFreshness({
      ctx,
      input: { project: P },
      streams: {
        redis: async () => {
          throw new UnavailableError("stream view features need REDIS_URL");
        },
        prefix,
      },
    });
    expect(missing.streams[0]).toMatchObject({
      status: "unavailable",
      error: "stream view features need REDIS_URL",
    });
    expect(missing.transformations).toHaveLength(1);
    // the views' board does not read Redis at all
    expect(await getFreshness({ ctx, input: { project: P } })).toEqual([]);
  });
});
