import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { driverViewSpec, seedBasics } from "../../test/fixtures/registry";
import { recordingJobs } from "../../test/helpers/materialization";
import type { Ctx } from "../core/context";
import { createDb, createPool } from "../db/client";
import { featureViews, lagSamples, materializationRuns } from "../db/schema";
import { createFeatureView, requireProject } from "../registry";
import { BUCKET_SECONDS, getLagHistory, HISTORY_DAYS } from "./lag-history";
import { pruneLagSamples, sampleLag, startLagSampler } from "./sample-lag";

let t: TestDb;
let ctx: Ctx;
let projectId: string;
let lateId: string;
let neverId: string;

const now = new Date("2026-03-08T12:00:30Z");

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t, { jobs: recordingJobs() });
  await t.offlineSql(
    "proj",
    `create table driver_stats (driver_id bigint, event_timestamp timestamptz, created timestamptz,
      conv_rate float8, acc_rate float8, avg_daily_trips bigint)`,
  );
  await seedBasics(ctx, t);
  projectId = (await requireProject(ctx, "proj")).id;
  await createFeatureView({
    ctx,
    input: { project: "proj", spec: driverViewSpec({ name: "late_view", freshnessSlaSeconds: 3600 }) },
  });
  await createFeatureView({ ctx, input: { project: "proj", spec: driverViewSpec({ name: "never_view" }) } });
  const ids = await t.db.select({ id: featureViews.id, name: featureViews.name }).from(featureViews);
  lateId = ids.find((v) => v.name === "late_view")?.id ?? "";
  neverId = ids.find((v) => v.name === "never_view")?.id ?? "";
  // late_view: watermark 2 h before `now`, its SLA 1 h.
  await t.db
    .update(featureViews)
    .set({ materializedUntil: new Date("2026-03-08T10:00:30Z") })
    .where(eq(featureViews.id, lateId));
});
afterAll(() => t.drop());

const samplesOf = (id: string) =>
  t.db.select().from(lagSamples).where(eq(lagSamples.featureViewId, id)).orderBy(lagSamples.minute);

describe("sampleLag", () => {
  it("two samplers in the same minute leave one row per view; lag, SLA and state as the board says", async () => {
    const inserted = await Promise.all([
      sampleLag(t.db, now),
      sampleLag(t.db, new Date("2026-03-08T12:00:59Z")),
    ]);
    const views = await t.db.select({ id: featureViews.id }).from(featureViews);
    expect(inserted[0] + inserted[1]).toBe(views.length);
    const late = await samplesOf(lateId);
    expect(late).toHaveLength(1);
    expect(late[0]?.minute).toEqual(new Date("2026-03-08T12:00:00Z"));
    expect(late[0]?.slaSeconds).toBe(3600);
    expect(late[0]?.state).toBe("late");
    expect([7200, 7229]).toContain(late[0]?.lagSeconds);
  });

  it("a view never materialized has a null lag", async () => {
    const [never] = await samplesOf(neverId);
    expect(never).toMatchObject({ lagSeconds: null, slaSeconds: null, state: "never_materialized" });
  });

  it("the state follows the newest run: a failed one is failing", async () => {
    await t.db.insert(materializationRuns).values({
      id: randomUUID(),
      projectId,
      featureViewId: lateId,
      featureViewVersion: 1,
      kind: "range",
      status: "failed",
      startTs: now,
      endTs: now,
      triggeredBy: "test",
    });
    await sampleLag(t.db, new Date("2026-03-08T12:01:10Z"));
    const [row] = await t.db
      .select()
      .from(lagSamples)
      .where(
        and(eq(lagSamples.featureViewId, lateId), eq(lagSamples.minute, new Date("2026-03-08T12:01:00Z"))),
      );
    expect(row).toMatchObject({ state: "failing", lagSeconds: 7240 });
  });

  it("two looping samplers started at once sample each minute once", async () => {
    const clock = () => new Date("2026-03-08T12:05:20Z");
    const a = startLagSampler({ db: t.db, periodMs: 100, clock });
    const b = startLagSampler({ db: t.db, periodMs: 100, clock });
    await Promise.all([a.tick(), b.tick(), a.tick()]);
    await Promise.all([a.stop(), b.stop()]);
    const rows = await t.db
      .select()
      .from(lagSamples)
      .where(eq(lagSamples.minute, new Date("2026-03-08T12:05:00Z")));
    expect(rows.map((r) => r.featureViewId).sort()).toEqual([lateId, neverId].sort());
  });

  it("retention deletes samples older than 8 days, and only those", async () => {
    const minute = (iso: string) => ({
      featureViewId: neverId,
      minute: new Date(iso),
      state: "no_sla" as const,
    });
    await t.db
      .insert(lagSamples)
      .values([
        minute("2026-02-28T11:59:00Z"),
        minute("2026-02-28T12:01:00Z"),
        minute("2026-03-01T12:00:00Z"),
      ]);
    expect(await pruneLagSamples(t.db, now)).toBe(1);
    const left = (await samplesOf(neverId)).map((r) => r.minute.toISOString());
    expect(left).not.toContain("2026-02-28T11:59:00.000Z");
    expect(left).toContain("2026-02-28T12:01:00.000Z");
    expect(await pruneLagSamples(t.db, now)).toBe(0);
  });
});

describe("freshness.lagHistory", () => {
  const at = new Date("2026-03-08T00:05:00Z");

  beforeAll(async () => {
    await t.db.delete(lagSamples).where(eq(lagSamples.featureViewId, lateId));
    // Bucket 23:40: lags 100..1000 s, SLA 500 s (five minutes past it). Bucket 23:50: no sample (a
    // gap). Bucket 00:00: two minutes without a watermark under an SLA (in breach).
    const rows: (typeof lagSamples.$inferInsert)[] = Array.from({ length: 10 }, (_, i) => ({
      featureViewId: lateId,
      minute: new Date(Date.UTC(2026, 2, 7, 23, 40 + i)),
      lagSeconds: (i + 1) * 100,
      slaSeconds: 500,
      state: "met" as const,
    }));
    rows.push(
      ...[0, 1].map((i) => ({
        featureViewId: lateId,
        minute: new Date(Date.UTC(2026, 2, 8, 0, i)),
        lagSeconds: null,
        slaSeconds: 500,
        state: "never_materialized" as const,
      })),
    );
    // Older than the window: left out.
    rows.push({
      featureViewId: lateId,
      minute: new Date("2026-02-28T00:00:00Z"),
      lagSeconds: 9999,
      state: "late",
    });
    await t.db.insert(lagSamples).values(rows);
  });

  it("downsamples to 10-minute buckets: max lag, breached minutes, gaps left as gaps", async () => {
    const h = await getLagHistory({ ctx, input: { project: "proj", featureView: "late_view" }, now: at });
    expect(h.bucketSeconds).toBe(BUCKET_SECONDS);
    expect(h.buckets).toHaveLength((HISTORY_DAYS * 86_400) / BUCKET_SECONDS);
    expect(h.from).toEqual(new Date("2026-03-01T00:10:00Z"));
    expect(h.slaSeconds).toBe(3600);
    const tail = h.buckets.slice(-3);
    expect(tail).toEqual([
      {
        startMs: Date.parse("2026-03-07T23:40:00Z"),
        samples: 10,
        maxLagSeconds: 1000,
        slaSeconds: 500,
        breachMinutes: 5,
      },
      {
        startMs: Date.parse("2026-03-07T23:50:00Z"),
        samples: 0,
        maxLagSeconds: null,
        slaSeconds: null,
        breachMinutes: 0,
      },
      {
        startMs: Date.parse("2026-03-08T00:00:00Z"),
        samples: 2,
        maxLagSeconds: null,
        slaSeconds: 500,
        breachMinutes: 2,
      },
    ]);
    expect(h.buckets.filter((b) => b.samples > 0)).toHaveLength(2);
  });

  it("buckets are on the UTC grid whatever the process's and the session's time zone", async () => {
    const before = process.env.TZ;
    const dbName = new URL(t.url).pathname.slice(1);
    await t.pool.query(`alter database ${dbName} set timezone to 'Asia/Kathmandu'`);
    const pool = createPool(t.url, 1);
    try {
      process.env.TZ = "America/St_Johns";
      const [{ tz } = { tz: "" }] = (
        await pool.query<{ tz: string }>("select current_setting('TimeZone') as tz")
      ).rows;
      expect(tz).toBe("Asia/Kathmandu");
      const h = await getLagHistory({
        ctx: { ...ctx, db: createDb(pool) },
        input: { project: "proj", featureView: "late_view" },
        now: at,
      });
      expect(h.buckets.at(-3)).toMatchObject({
        startMs: Date.parse("2026-03-07T23:40:00Z"),
        maxLagSeconds: 1000,
      });
      expect(h.from.toISOString()).toBe("2026-03-01T00:10:00.000Z");
    } finally {
      process.env.TZ = before;
      await pool.end();
      await t.pool.query(`alter database ${dbName} reset timezone`);
    }
  });

  it("names an unknown view", async () => {
    await expect(
      getLagHistory({ ctx, input: { project: "proj", featureView: "nope" }, now: at }),
    ).rejects.toThrow(/featureView: feature view "nope" not found/);
  });

  it("is empty, all gaps, for a view never sampled", async () => {
    await createFeatureView({
      ctx,
      input: { project: "proj", spec: driverViewSpec({ name: "unsampled_view" }) },
    });
    const h = await getLagHistory({
      ctx,
      input: { project: "proj", featureView: "unsampled_view" },
      now: at,
    });
    expect(h.buckets).toHaveLength(1008);
    expect(h.buckets.every((b) => b.samples === 0 && b.maxLagSeconds === null)).toBe(true);
  });
});
