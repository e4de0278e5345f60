import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import type { Ctx } from "../context";
import { schema } from "../db/client";
import { createFeatureView } from "../registry";
import { driverViewSpec, seedBasics } from "../registry/test/fixtures";
import { getFreshness } from "./get-freshness";

let t: TestDb;
let ctx: Ctx;
const now = new Date("2026-03-01T12:00:00Z");

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t);
  await t.pool.query(`create schema offline;
    create table offline.driver_stats (driver_id bigint, event_timestamp timestamptz, created timestamptz,
      conv_rate float8, acc_rate float8, avg_daily_trips bigint);
    insert into offline.driver_stats values (1, '2026-03-01T11:00:00Z', now(), 0.5, 0.5, 3)`);
  await seedBasics(ctx);
  await createFeatureView({
    ctx,
    input: { project: "proj", spec: driverViewSpec({ freshnessSlaSeconds: 3600 }) },
  });
  await createFeatureView({ ctx, input: { project: "proj", spec: driverViewSpec({ name: "no_sla_view" }) } });
});
afterAll(() => t.drop());

describe("getFreshness", () => {
  it("reports a view with an SLA and no run as never materialized", async () => {
    const [view, noSla] = await getFreshness({ ctx, input: { project: "proj" }, now });
    expect(view).toMatchObject({
      featureView: "driver_hourly_stats",
      status: "never_materialized",
      watermark: null,
      lastRun: null,
      newestSourceEvent: new Date("2026-03-01T11:00:00Z"),
    });
    expect(noSla?.status).toBe("no_sla");
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
    const later = new Date(now.getTime() + 3600_000);
    const [stale] = await getFreshness({ ctx, input: { project: "proj" }, now: later });
    expect(stale).toMatchObject({ status: "breached", lagSeconds: 5400 });
  });

  it("reports an unreadable source instead of failing the dashboard", async () => {
    await t.pool.query("drop table offline.driver_stats");
    const rows = await getFreshness({ ctx, input: { project: "proj" }, now });
    expect(rows).toHaveLength(2);
    expect(rows[0]?.sourceError).toMatch(/driver_stats/);
  });
});
