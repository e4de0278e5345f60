import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import type { Ctx } from "../core/context";
import { getDataset, previewDataset } from "../datasets";
import { getConsumer, getFeatureService, listEntities, listFeatureViews, listProjects } from "../registry";
import { getHistoricalFeatures } from "../serving";
import { seedDemo } from "./seed";

const NOW = new Date("2026-01-31T23:17:42Z");
const END = "2026-01-31T23:00:00.000Z";
const START = "2026-01-17T00:00:00.000Z";

let t: TestDb;
let ctx: Ctx;

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t);
});
afterAll(async () => {
  await t?.drop();
});

/** The demo's tables live in the offline database, in the demo project's schema. */
function driverStats() {
  return t.offlineAdmin.query<{
    n: number;
    drivers: number;
    min_id: number;
    max_id: number;
    hours: number;
    first: Date;
    last: Date;
    checksum: number;
  }>(`select count(*)::int as n, count(distinct driver_id)::int as drivers, min(driver_id) as min_id,
        max(driver_id) as max_id, count(distinct event_timestamp)::int as hours,
        min(event_timestamp) as first, max(event_timestamp) as last,
        sum(conv_rate + acc_rate + avg_daily_trips) as checksum
      from demo.driver_hourly_stats`);
}

describe("seedDemo", () => {
  it("writes 15 days of hourly stats for drivers 1001-1050, ending at the current hour", async () => {
    const seed = await seedDemo(ctx, NOW);
    expect(seed.driverRows).toBe(50 * 15 * 24);
    expect(seed.customerRows).toBe(50 * 15);
    expect(seed.start.toISOString()).toBe(START);
    expect(seed.end.toISOString()).toBe(END);

    const { rows } = await driverStats();
    const d = rows[0];
    expect(d).toMatchObject({ n: 18_000, drivers: 50, min_id: 1001, max_id: 1050, hours: 360 });
    expect(d?.first.toISOString()).toBe(START);
    expect(d?.last.toISOString()).toBe(END);
    // Every driver has exactly one row per hour.
    const dup = await t.offlineAdmin.query(
      "select 1 from demo.driver_hourly_stats group by driver_id, event_timestamp having count(*) > 1",
    );
    expect(dup.rowCount).toBe(0);
    const bad = await t.offlineAdmin.query(
      `select 1 from demo.driver_hourly_stats
        where conv_rate not between 0 and 1 or acc_rate not between 0 and 1 or avg_daily_trips < 0
           or created < event_timestamp`,
    );
    expect(bad.rowCount).toBe(0);

    const c = await t.offlineAdmin.query<{ n: number; customers: number; days: number; last: Date }>(
      `select count(*)::int as n, count(distinct customer_id)::int as customers,
        count(distinct event_timestamp)::int as days, max(event_timestamp) as last
       from demo.customer_profile where customer_id between 2001 and 2050`,
    );
    expect(c.rows[0]).toMatchObject({ n: 750, customers: 50, days: 15 });
    expect(c.rows[0]?.last.toISOString()).toBe(END);

    // Written as the demo project's writer role, never as an administrator.
    const owners = await t.offlineAdmin.query(
      "select tablename, tableowner from pg_tables where schemaname = 'demo' order by tablename",
    );
    const writer = t.offline.roles("demo").writer;
    expect(owners.rows).toEqual([
      { tablename: "customer_profile", tableowner: writer },
      { tablename: "driver_hourly_stats", tableowner: writer },
      // The saved dataset's rows (eta_training), written by the same role.
      { tablename: expect.stringMatching(/^ds_eta_training_[0-9a-f]{8}$/), tableowner: writer },
      // The driver_stats_7d transformation's output, filled by its first (full) run.
      { tablename: "tx_driver_stats_7d", tableowner: writer },
    ]);
  });

  it("runs the 7-day transformation: each row counts and averages its driver's trailing 7 days", async () => {
    // Recomputed here by a plain self-join, not by the window functions the transformation uses.
    const diff = await t.offlineAdmin.query<{ n: number; off: number }>(
      `with ref as (
         select a.driver_id, a.event_timestamp, count(*)::bigint as hours, avg(b.conv_rate) as conv,
           max(b.avg_daily_trips) as trips
         from demo.driver_hourly_stats a join demo.driver_hourly_stats b
           on b.driver_id = a.driver_id
          and b.event_timestamp between a.event_timestamp - interval '7 days' and a.event_timestamp
         where a.driver_id in (1001, 1027, 1050)
         group by 1, 2)
       select count(*)::int as n,
         count(*) filter (where t.hours_reported_7d is distinct from ref.hours
           or abs(t.conv_rate_7d_avg - ref.conv) > 1e-12
           or t.daily_trips_7d_max is distinct from ref.trips)::int as off
       from ref left join demo.tx_driver_stats_7d t using (driver_id, event_timestamp)`,
    );
    expect(diff.rows[0]).toEqual({ n: 3 * 15 * 24, off: 0 });
    const total = await t.offlineAdmin.query("select 1 from demo.tx_driver_stats_7d");
    expect(total.rowCount).toBe(18_000);
  });

  it("registers the demo project's entities, views, service and consumer", async () => {
    const project = "demo";
    expect((await listProjects({ ctx })).map((p) => p.name)).toEqual([project]);
    const entities = await listEntities({ ctx, input: { project } });
    expect(entities.map((e) => [e.name, e.joinKey, e.valueType])).toEqual([
      ["customer", "customer_id", "int64"],
      ["driver", "driver_id", "int64"],
    ]);
    const views = await listFeatureViews({ ctx, input: { project } });
    expect(views.map((v) => [v.name, v.ttlSeconds, v.featureCount, v.sourceName])).toEqual([
      ["customer_profile", 172_800, 3, "customer_profile_source"],
      ["driver_hourly_stats", 86_400, 3, "driver_stats_source"],
      ["driver_stats_7d", 86_400, 3, "driver_stats_7d"],
    ]);
    for (const v of views) {
      expect(v.description).not.toBe("");
      expect(v.owner).toMatch(/@/);
      expect(v.spec.fields.every((f) => f.description.length > 0)).toBe(true);
    }
    const service = await getFeatureService({ ctx, input: { project, name: "driver_activity" } });
    expect(service.name).toBe("driver_activity");
    const consumer = await getConsumer({ ctx, input: { project, name: "eta_model" } });
    expect(consumer.kind).toBe("model");
    expect(consumer.datasets).toEqual(["eta_training"]);
  });

  it("ships a saved dataset of the driver_activity service, built, equal to the historical API", async () => {
    const project = "demo";
    const d = await getDataset({ ctx, input: { project, name: "eta_training" } });
    expect(d).toMatchObject({
      status: "ready",
      rowsTotal: 240,
      rowsDone: 240,
      featureService: "driver_activity",
      entitySourceKind: "upload",
      storageKind: "table",
      consumers: ["eta_model"],
      viewVersions: { customer_profile: 1, driver_hourly_stats: 1 },
    });
    expect(d.columns).toEqual([
      "driver_id",
      "customer_id",
      "event_timestamp",
      "conv_rate",
      "acc_rate",
      "avg_daily_trips",
      "current_balance",
      "avg_passenger_count",
      "lifetime_trip_count",
    ]);
    const preview = await previewDataset({ ctx, input: { project, name: "eta_training" } });
    expect(preview.rows).toHaveLength(100);
    // Every trip is inside the data and its views' ttl: no feature is missing.
    expect(Object.values(preview.nullRates)).toEqual([0, 0, 0, 0, 0, 0]);
    const api = await getHistoricalFeatures({
      ctx,
      input: {
        project,
        feature_service: "driver_activity",
        entities: {
          driver_id: preview.rows.map((r) => r[0]),
          customer_id: preview.rows.map((r) => r[1]),
          event_timestamp: preview.rows.map((r) => r[2]),
        },
      },
    });
    expect(preview.rows.map((r) => r.slice(3))).toEqual(
      preview.rows.map((_, i) => api.results.slice(3).map((c) => c.values[i])),
    );
  });

  it("re-seeds without failing or duplicating, to the same data", async () => {
    const before = (await driverStats()).rows[0];
    await ctx.online.write("demo", "driver_hourly_stats", [
      { entityKey: "stale", values: { conv_rate: 1 }, eventTs: new Date(END) },
    ]);
    await seedDemo(ctx, NOW);
    const after = (await driverStats()).rows[0];
    expect(after).toEqual(before);
    const counts = await t.pool.query(
      `select (select count(*)::int from projects) as projects,
        (select count(*)::int from feature_views) as views,
        (select count(*)::int from entities) as entities,
        (select count(*)::int from feature_services) as services,
        (select count(*)::int from datasets) as datasets,
        (select count(*)::int from on_demand_views) as on_demand_views,
        (select count(*)::int from transformations) as transformations,
        (select count(*)::int from stream_views) as stream_views`,
    );
    expect(counts.rows[0]).toEqual({
      projects: 1,
      views: 3,
      entities: 2,
      services: 1,
      datasets: 1,
      on_demand_views: 1,
      transformations: 1,
      stream_views: 1,
    });
    // The old dataset's table went with it: one dataset table in the demo's schema.
    const tables = await t.offlineAdmin.query(
      "select tablename from pg_tables where schemaname = 'demo' and tablename like 'ds_%'",
    );
    expect(tables.rowCount).toBe(1);
    // The old demo views' online values are gone.
    const read = await ctx.online.read(
      "demo",
      [{ featureView: "driver_hourly_stats", features: ["conv_rate"] }],
      ["stale"],
    );
    expect(read).toEqual([[null]]);
  });

  it("has an on-demand view whose training rows compute from the request's boost", async () => {
    const res = await getHistoricalFeatures({
      ctx,
      input: {
        project: "demo",
        features: ["driver_hourly_stats:conv_rate", "driver_scores:boosted_conv_rate"],
        entities: { driver_id: [1001, 9999], event_timestamp: [END, END], boost: [2, 2] },
      },
    });
    const conv = res.results[3]?.values[0] as number;
    expect(typeof conv).toBe("number");
    expect(res.results[4]?.values).toEqual([conv * 2, null]);
    expect(res.metadata.reasons).toEqual({
      boosted_conv_rate: [null, "driver_hourly_stats.conv_rate is null"],
    });
  });

  it("keeps the demo project's members across a re-seed", async () => {
    await t.pool.query(`insert into users (id, name, email) values ('u1', 'Ana', 'ana@example.com')`);
    await t.pool.query(
      `insert into project_members (project_id, user_id, role) select id, 'u1', 'owner' from projects where name = 'demo'`,
    );
    await seedDemo(ctx, NOW);
    const { rows } = await t.pool.query("select role from project_members where user_id = 'u1'");
    expect(rows).toEqual([{ role: "owner" }]);
  });
});
