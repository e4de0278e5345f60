import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { driverViewSpec, seedBasics } from "../../test/fixtures/registry";
import { recordingJobs } from "../../test/helpers/materialization";
import type { Ctx } from "../core/context";
import { schema } from "../db/client";
import { createDataSource, createFeatureView, requireProject } from "../registry";
import { getFreshness } from "./get-freshness";
import { probeProjectSources } from "./probe-sources";

let t: TestDb;
let ctx: Ctx;
let jobs: ReturnType<typeof recordingJobs>;
let projectId: string;
const now = new Date("2026-03-01T12:00:00Z");

beforeAll(async () => {
  t = await createTestDb();
  jobs = recordingJobs();
  ctx = testCtx(t, { jobs });
  await t.offlineSql(
    "proj",
    `create table driver_stats (driver_id bigint, event_timestamp timestamptz, created timestamptz,
      conv_rate float8, acc_rate float8, avg_daily_trips bigint);
    insert into driver_stats values (1, '2026-03-01T11:00:00Z', now(), 0.5, 0.5, 3),
      (2, '2026-03-01T10:00:00Z', now(), 0.4, 0.4, 2)`,
  );
  await seedBasics(ctx, t);
  projectId = (await requireProject(ctx, "proj")).id;
  await createFeatureView({
    ctx,
    input: { project: "proj", spec: driverViewSpec({ freshnessSlaSeconds: 3600 }) },
  });
  await createFeatureView({ ctx, input: { project: "proj", spec: driverViewSpec({ name: "no_sla_view" }) } });
});
afterAll(() => t.drop());

describe("getFreshness", () => {
  it("shows a source not probed yet as pending, and asks for a probe of the project", async () => {
    const rows = await getFreshness({ ctx, input: { project: "proj" }, now });
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.probe).toEqual({ status: "pending", probedAt: null, rowCount: null, error: null });
      expect(row.newestSourceEvent).toBeNull();
      expect(row.backlogSeconds).toBeNull();
    }
    expect(jobs.probedProjects).toEqual([projectId]);
  });

  it("reports a view with an SLA and no run as never materialized, with its source's last probe", async () => {
    const before = new Date();
    expect(await probeProjectSources(ctx, projectId)).toBe(1);
    jobs.probedProjects.length = 0;
    const [view, noSla] = await getFreshness({ ctx, input: { project: "proj" }, now });
    expect(view).toMatchObject({
      featureView: "driver_hourly_stats",
      status: "never_materialized",
      watermark: null,
      lastRun: null,
      newestSourceEvent: new Date("2026-03-01T11:00:00Z"),
      probe: { status: "ok", rowCount: 2, error: null },
    });
    expect(view?.probe.probedAt?.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
    // Without an SLA too: nothing has been materialized yet.
    expect(noSla?.status).toBe("never_materialized");
    expect(noSla?.probe).toEqual(view?.probe);
    // Fresh probes: the page asks for no other.
    expect(jobs.probedProjects).toEqual([]);
  });

  it("meets the SLA while now - watermark is within it, and breaches after", async () => {
    const [view] = await ctx.db
      .update(schema.featureViews)
      .set({ materializedUntil: new Date("2026-03-01T11:30:00Z") })
      .where(eq(schema.featureViews.name, "driver_hourly_stats"))
      .returning();
    if (!view) throw new Error("no view");
    await ctx.db.insert(schema.materializationRuns).values({
      id: randomUUID(),
      projectId: view.projectId,
      featureViewId: view.id,
      featureViewVersion: 1,
      kind: "range",
      status: "succeeded",
      startTs: new Date("2026-03-01T00:00:00Z"),
      endTs: new Date("2026-03-01T11:30:00Z"),
      triggeredBy: "test",
    });
    const [fresh] = await getFreshness({ ctx, input: { project: "proj" }, now });
    expect(fresh).toMatchObject({ status: "met", lagSeconds: 1800, backlogSeconds: 0 });
    expect(fresh?.lastRun?.status).toBe("succeeded");
    // Past 80 % of the hour: at risk (1800 + 1200 s = 3000 s > 2880 s).
    const soon = new Date(now.getTime() + 1200_000);
    const [risky] = await getFreshness({ ctx, input: { project: "proj" }, now: soon });
    expect(risky).toMatchObject({ status: "at_risk", lagSeconds: 3000 });
    const later = new Date(now.getTime() + 3600_000);
    const [stale] = await getFreshness({ ctx, input: { project: "proj" }, now: later });
    expect(stale).toMatchObject({ status: "late", lagSeconds: 5400 });
  });

  it("calls a view whose only run was cancelled never materialized, and one whose last run failed failing", async () => {
    // Newest by creation: after the run the test above wrote (created now), in this order.
    let order = 0;
    const run = async (name: string, status: "cancelled" | "failed" | "succeeded") => {
      const [view] = await ctx.db
        .select()
        .from(schema.featureViews)
        .where(eq(schema.featureViews.name, name));
      if (!view) throw new Error(`no view ${name}`);
      await ctx.db.insert(schema.materializationRuns).values({
        id: randomUUID(),
        projectId: view.projectId,
        featureViewId: view.id,
        featureViewVersion: 1,
        kind: "range",
        status,
        startTs: new Date("2026-03-01T00:00:00Z"),
        endTs: new Date("2026-03-01T11:30:00Z"),
        triggeredBy: "test",
        createdAt: new Date(Date.now() + 60_000 * ++order),
      });
    };
    // no_sla_view has no SLA: cancelled-only is still "never materialized", not "no SLA".
    await run("no_sla_view", "cancelled");
    const status = async () =>
      (await getFreshness({ ctx, input: { project: "proj" }, now })).map((r) => [r.featureView, r.status]);
    expect(await status()).toEqual([
      ["driver_hourly_stats", "met"],
      ["no_sla_view", "never_materialized"],
    ]);
    // A failed run after a success: failing, though the lag (30 min) is within the SLA.
    await run("driver_hourly_stats", "failed");
    expect(await status()).toEqual([
      ["driver_hourly_stats", "failing"],
      ["no_sla_view", "never_materialized"],
    ]);
    // A later success ends it.
    await run("driver_hourly_stats", "succeeded");
    expect((await status())[0]).toEqual(["driver_hourly_stats", "met"]);
  });

  it("asks for new probes when the last one is older than a minute, showing the old one meanwhile", async () => {
    const old = new Date(Date.now() - 61_000);
    await ctx.db.update(schema.sourceProbes).set({ probedAt: old });
    jobs.probedProjects.length = 0;
    const [view] = await getFreshness({ ctx, input: { project: "proj" }, now });
    expect(view?.probe).toEqual({ status: "ok", probedAt: old, rowCount: 2, error: null });
    expect(jobs.probedProjects).toEqual([projectId]);
  });

  it("records a probe that runs past the probe timeout as timed out", async () => {
    const quick = testCtx(t, {
      jobs,
      offline: t.openOffline({ timeouts: { probeMs: 300, scanMs: 300, writeMs: 300, lockMs: 300 } }),
    });
    await seedBasics(quick, t, "slow");
    await createDataSource({
      ctx: quick,
      input: {
        project: "slow",
        name: "slow_source",
        kind: "query",
        query: "select d.* from slow.driver_stats d cross join generate_series(1, 100000000) g",
        timestampField: "event_timestamp",
      },
    });
    await t.offlineSql("slow", "insert into driver_stats (driver_id, event_timestamp) values (1, now())");
    await createFeatureView({
      ctx: quick,
      input: { project: "slow", spec: driverViewSpec({ name: "slow_view", source: "slow_source" }) },
    });
    const slowId = (await requireProject(quick, "slow")).id;
    expect(await probeProjectSources(quick, slowId)).toBe(2);
    const [view] = await getFreshness({ ctx: quick, input: { project: "slow" }, now });
    expect(view).toMatchObject({
      featureView: "slow_view",
      newestSourceEvent: null,
      probe: { status: "timeout", rowCount: null, error: 'source "slow_source": timed out after 0.3 s' },
    });
  });

  it("reports an unreadable source as a probe error instead of failing the dashboard", async () => {
    await t.offlineSql("proj", "drop table driver_stats");
    expect(await probeProjectSources(ctx, projectId)).toBe(1);
    const rows = await getFreshness({ ctx, input: { project: "proj" }, now });
    expect(rows).toHaveLength(2);
    for (const row of rows)
      expect(row).toMatchObject({
        newestSourceEvent: null,
        backlogSeconds: null,
        probe: {
          status: "error",
          rowCount: null,
          error: 'source "driver_stats_source": relation "proj.driver_stats" does not exist',
        },
      });
  });
});
