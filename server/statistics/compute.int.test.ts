import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { duck, pgJsonArray, type SourceColumn, writeSource } from "../../test/helpers/files";
import { recordingJobs } from "../../test/helpers/materialization";
import { createAlertRule } from "../alerts/rules";
import type { Ctx } from "../core/context";
import { alertDeliveries, auditLog, dataSources, featureStatistics } from "../db/schema";
import { runMaterialization } from "../materialization/run-materialization";
import { startMaterialization } from "../materialization/start-materialization";
import { createDataSource, createEntity, createFeatureView, ensureProject } from "../registry";
import { computeStatistics } from "./compute";
import { getFeatureStatisticsOp } from "./operations";

/**
 * Statistics over hand-made offline data with answers worked out by hand, the same rows in a
 * Postgres table, a query source over it, a Parquet file and a CSV file: each engine must give the
 * same numbers (bar the distinct method). Window [07:00, 10:30], ttl 1 h, so the cut-off is 09:30.
 *
 * Population (latest row per driver in the window):
 *   driver 1 10:00 conv 0.5  trips 10   label a     tags ["x"]   (its 08:00 row is older)
 *   driver 2 09:00 conv 2.5  trips 20   label a                  (outside the ttl)
 *   driver 3 10:30 conv 4.5  trips null label b
 *   driver 4 07:00 conv 6.5  trips 40   label null               (outside the ttl)
 *   driver 5 09:45 conv null trips 50 label a
 * and not in it: driver 6 at 11:00 (after the window), driver 7 at 06:00 (before).
 */

let t: TestDb;
let ctx: Ctx;
let jobs: ReturnType<typeof recordingJobs>;
const P = "stats";
const at = (hhmm: string) => `2026-01-01T${hhmm}:00Z`;
const date = (hhmm: string) => new Date(at(hhmm));

interface Row {
  driver: string;
  ts: string;
  conv: number | null;
  trips: string | null;
  label: string | null;
  tags?: string[] | null;
}

const COLUMNS: SourceColumn<Row>[] = [
  { name: "driver_id", pgType: "bigint", duckType: "BIGINT", text: (r) => r.driver, quoted: false },
  {
    name: "event_timestamp",
    pgType: "timestamptz",
    duckType: "TIMESTAMPTZ",
    text: (r) => r.ts,
    quoted: false,
  },
  {
    name: "conv",
    pgType: "double precision",
    duckType: "DOUBLE",
    text: (r) => (r.conv === null ? null : String(r.conv)),
    quoted: false,
  },
  { name: "trips", pgType: "bigint", duckType: "BIGINT", text: (r) => r.trips, quoted: false },
  { name: "label", pgType: "text", duckType: "VARCHAR", text: (r) => r.label, quoted: true },
  {
    name: "tags",
    pgType: "text[]",
    duckType: "VARCHAR[]",
    text: (r) => (r.tags ? JSON.stringify(r.tags) : null),
    pg: (x) => pgJsonArray(x, "text"),
    duck: (json) => duck.list(json, "VARCHAR"),
    quoted: true,
  },
];

const ROWS: Row[] = [
  { driver: "1", ts: at("08:00"), conv: 5.5, trips: "99", label: "z" },
  { driver: "1", ts: at("10:00"), conv: 0.5, trips: "10", label: "a", tags: ["x"] },
  { driver: "2", ts: at("09:00"), conv: 2.5, trips: "20", label: "a" },
  { driver: "3", ts: at("10:30"), conv: 4.5, trips: null, label: "b" },
  { driver: "4", ts: at("07:00"), conv: 6.5, trips: "40", label: null },
  { driver: "5", ts: at("09:45"), conv: null, trips: "50", label: "a" },
  { driver: "6", ts: at("11:00"), conv: 100.5, trips: "60", label: "c" },
  { driver: "7", ts: at("06:00"), conv: -50.5, trips: "70", label: "d" },
];

const KINDS = ["table", "query", "parquet", "csv"] as const;
const FIELDS = [
  { name: "conv_rate", dtype: "float64" },
  { name: "trips", dtype: "int64" },
  { name: "label", dtype: "string" },
  { name: "tags", dtype: "list<string>" },
] as const;

beforeAll(async () => {
  t = await createTestDb();
  jobs = recordingJobs();
  ctx = testCtx(t, { jobs });
  await ensureProject({ ctx, input: { name: P } });
  await t.offline.provision(P);
  await writeSource(t.offlineAdmin, `${P}.rows`, path.join(t.offline.files.dirOf(P), "rows"), COLUMNS, ROWS);
  await createEntity({
    ctx,
    input: { project: P, name: "driver", joinKey: "driver_id", valueType: "int64" },
  });
  for (const kind of KINDS) {
    const where =
      kind === "table"
        ? { kind: "table" as const, tableName: "rows" }
        : kind === "query"
          ? { kind: "query" as const, query: `select * from ${P}.rows where driver_id > 0` }
          : { kind: "file" as const, path: `rows.${kind}`, fileFormat: kind };
    await createDataSource({
      ctx,
      input: {
        project: P,
        name: `${kind}_source`,
        ...where,
        timestampField: "event_timestamp",
        fieldMapping: { conv: "conv_rate" },
      },
    });
    await createFeatureView({
      ctx,
      input: {
        project: P,
        spec: {
          name: `from_${kind}`,
          entities: ["driver"],
          source: `${kind}_source`,
          ttlSeconds: 3600,
          fields: FIELDS.map((f) => ({ ...f })),
        },
      },
    });
  }
});

afterAll(async () => {
  await t?.drop();
});

async function materialize(view: string, start: string, end: string) {
  const [run] = await startMaterialization({
    ctx,
    input: { project: P, featureViews: [view], startTs: date(start), endTs: date(end) },
  });
  if (!run) throw new Error("no run");
  return runMaterialization(ctx, run.id);
}

async function statsOf(view: string, feature: string) {
  return getFeatureStatisticsOp.call({ ctx, input: { project: P, featureView: view, feature } });
}

describe.each(KINDS)("statistics of a %s source", (kind) => {
  const view = `from_${kind}`;

  it("computes count, nulls, distinct, min, max, mean, stddev, histogram, top values and the ttl share", async () => {
    const run = await materialize(view, "07:00", "10:30");
    expect(run.status).toBe("succeeded");
    // The run asked for its statistics once it had succeeded.
    expect(jobs.statisticsJobs).toContainEqual({ runId: run.id });
    const done = await computeStatistics(ctx, { kind: "run", runId: run.id });
    expect(done).toEqual({ computationId: run.id, features: 4, drifted: [] });

    const conv = (await statsOf(view, "conv_rate")).latest;
    expect(conv).toMatchObject({
      runId: run.id,
      kind: "numeric",
      count: 5,
      nulls: 1,
      distinct: 4,
      distinctMethod: kind === "table" || kind === "query" ? "exact" : "approximate",
      min: 0.5,
      max: 6.5,
      outsideTtl: 0.4,
      psi: null,
      drift: false,
    });
    expect(conv?.mean).toBeCloseTo(3.5, 12);
    expect(conv?.stddev).toBeCloseTo(Math.sqrt(5), 12);
    const bins = conv?.histogram ?? [];
    expect(bins).toHaveLength(20);
    expect(bins[0]).toMatchObject({ lo: 0.5, count: 1 });
    expect(bins[19]).toMatchObject({ hi: 6.5, count: 1 });
    // Bins 0.3 wide from 0.5: [2.3, 2.6) holds 2.5 and [4.4, 4.7) holds 4.5; nothing else.
    expect(bins.map((b) => b.count)).toEqual([1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1]);
    expect(bins[6]?.lo).toBeCloseTo(2.3, 12);

    const trips = (await statsOf(view, "trips")).latest;
    expect(trips).toMatchObject({ count: 5, nulls: 1, distinct: 4, min: 10, max: 50 });
    expect(trips?.mean).toBeCloseTo(30, 12);
    expect(trips?.stddev).toBeCloseTo(Math.sqrt(250), 12);

    const label = (await statsOf(view, "label")).latest;
    expect(label).toMatchObject({
      kind: "categorical",
      count: 5,
      nulls: 1,
      distinct: 2,
      min: null,
      histogram: null,
      topValues: {
        values: [
          { value: "a", count: 3 },
          { value: "b", count: 1 },
        ],
        other: 0,
      },
    });

    const tags = (await statsOf(view, "tags")).latest;
    expect(tags).toMatchObject({ kind: "count_only", count: 5, nulls: 4, distinct: null, histogram: null });
  });

  it("keeps each run's statistics and compares the next run with them (PSI)", async () => {
    // A rule listening to drift (its receiver is never called here: deliveries wait for the loop).
    const { rule } = await createAlertRule({
      ctx,
      input: {
        project: P,
        name: `drift-${view}`,
        events: ["drift"],
        format: "json",
        url: "http://127.0.0.1:9/hook",
      },
    });
    // Driver 6 (conv 100, label "c") joins the population.
    const run = await materialize(view, "07:00", "12:00");
    const done = await computeStatistics(ctx, { kind: "run", runId: run.id });
    expect(done.drifted.sort()).toEqual(["conv_rate", "label", "trips"]);
    const driftAlerts = async () =>
      (await ctx.db.select().from(alertDeliveries).where(eq(alertDeliveries.ruleId, rule.id)))
        .map((d) => d.dedupeKey)
        .sort();
    // One drift delivery per drifted feature, named by the run.
    expect(await driftAlerts()).toEqual(["conv_rate", "label", "trips"].map((f) => `drift:${run.id}:${f}`));

    const conv = await statsOf(view, "conv_rate");
    expect(conv.latest?.runId).toBe(run.id);
    expect(conv.previous?.max).toBe(6.5);
    expect(conv.history).toHaveLength(2);
    // Previous shares 1/4 in four bins; now 1/5 there and 1/5 above the previous range (ε = 1e-4).
    const psi = 4 * (0.2 - 0.25) * Math.log(0.2 / 0.25) + (0.2 - 1e-4) * Math.log(0.2 / 1e-4);
    expect(conv.latest?.psi).toBeCloseTo(psi, 9);
    expect(conv.latest).toMatchObject({ drift: true, driftThreshold: 0.2, count: 6, max: 100.5 });

    // Previous a 3/4, b 1/4, other 0; now a 3/5, b 1/5, other ("c") 1/5.
    const label = (await statsOf(view, "label")).latest;
    const labelPsi =
      (0.6 - 0.75) * Math.log(0.6 / 0.75) +
      (0.2 - 0.25) * Math.log(0.2 / 0.25) +
      (0.2 - 1e-4) * Math.log(0.2 / 1e-4);
    expect(label?.psi).toBeCloseTo(labelPsi, 9);

    // A second delivery of the same job changes nothing.
    expect(await computeStatistics(ctx, { kind: "run", runId: run.id })).toMatchObject({ features: 0 });
    const rows = await ctx.db.select().from(featureStatistics).where(eq(featureStatistics.runId, run.id));
    expect(rows).toHaveLength(4);
    expect(await driftAlerts()).toHaveLength(3);
  });
});

describe("around the run", () => {
  it("a statistics job that cannot be queued does not fail the run", async () => {
    const broken = testCtx(t, {
      jobs: {
        ...jobs,
        enqueueStatistics: () => Promise.reject(new Error("queue down")),
      },
    });
    const [run] = await startMaterialization({
      ctx: broken,
      input: { project: P, featureViews: ["from_table"], startTs: date("07:00"), endTs: date("10:30") },
    });
    if (!run) throw new Error("no run");
    expect((await runMaterialization(broken, run.id)).status).toBe("succeeded");
  });

  it("reads a query source through the sandbox: a stored query that escapes it is refused", async () => {
    const [run] = await startMaterialization({
      ctx,
      input: { project: P, featureViews: ["from_query"], startTs: date("07:00"), endTs: date("10:30") },
    });
    if (!run) throw new Error("no run");
    await runMaterialization(ctx, run.id);
    // Written behind the registry's back, as an old or tampered row would be.
    await ctx.db
      .update(dataSources)
      .set({ query: "select rolname as label, now() as event_timestamp, 1 as driver_id from pg_authid" })
      .where(eq(dataSources.name, "query_source"));
    try {
      await expect(computeStatistics(ctx, { kind: "run", runId: run.id })).rejects.toMatchObject({
        code: "INVALID",
        message: expect.stringContaining("system catalog pg_authid"),
      });
    } finally {
      await ctx.db
        .update(dataSources)
        .set({ query: `select * from ${P}.rows where driver_id > 0` })
        .where(eq(dataSources.name, "query_source"));
    }
  });

  it("stops at the scan timeout", async () => {
    const quick = testCtx(t, {
      jobs,
      offline: t.openOffline({ timeouts: { probeMs: 300, scanMs: 300, writeMs: 300, lockMs: 300 } }),
    });
    await createDataSource({
      ctx: quick,
      input: {
        project: P,
        name: "slow_source",
        kind: "query",
        query: `select r.* from ${P}.rows r cross join generate_series(1, 50000000) g`,
        timestampField: "event_timestamp",
        fieldMapping: { conv: "conv_rate" },
      },
    });
    await createFeatureView({
      ctx: quick,
      input: {
        project: P,
        spec: {
          name: "slow_view",
          entities: ["driver"],
          source: "slow_source",
          ttlSeconds: 0,
          fields: [{ name: "conv_rate", dtype: "float64" }],
        },
      },
    });
    const { computationId } = await computeOnDemand(quick, "slow_view");
    await expect(
      computeStatistics(quick, { kind: "on_demand", computationId, ...(await ids(quick, "slow_view")) }),
    ).rejects.toMatchObject({ code: "INVALID", message: expect.stringContaining("timed out") });
  });

  it("computes on demand under a fresh id, over the latest values up to now", async () => {
    const { computationId } = await computeOnDemand(ctx, "from_parquet");
    const job = jobs.statisticsJobs.at(-1);
    expect(job).toEqual({ computationId, ...(await ids(ctx, "from_parquet")) });
    await computeStatistics(ctx, { kind: "on_demand", computationId, ...(await ids(ctx, "from_parquet")) });
    const conv = (await statsOf("from_parquet", "conv_rate")).latest;
    // Every driver's latest row: 1 (0.5), 2 (2.5), 3 (4.5), 4 (6.5), 5 (null), 6 (100.5), 7 (-50.5).
    expect(conv).toMatchObject({ computationId, runId: null, count: 7, nulls: 1, min: -50.5, max: 100.5 });
  });
});

describe("the project's drift threshold", () => {
  it("judges the computations made after it is set, and is audited", async () => {
    const { getStatisticsSettingsOp, setDriftThresholdOp } = await import("./settings");
    expect(await getStatisticsSettingsOp.call({ ctx, input: { project: P } })).toEqual({
      driftThreshold: 0.2,
      isDefault: true,
    });
    await setDriftThresholdOp.call({ ctx, input: { project: P, driftThreshold: 5 } });
    await expect(
      setDriftThresholdOp.call({ ctx, input: { project: P, driftThreshold: -1 } }),
    ).rejects.toMatchObject({ code: "INVALID", field: "driftThreshold" });
    // Now driver 7 (-50.5, below the last run's range) joins: a shift a threshold of 0.2 would flag.
    const { computationId } = await computeOnDemand(ctx, "from_table");
    await computeStatistics(ctx, { kind: "on_demand", computationId, ...(await ids(ctx, "from_table")) });
    const conv = (await statsOf("from_table", "conv_rate")).latest;
    expect(conv?.psi).toBeGreaterThan(0.2);
    expect(conv).toMatchObject({ computationId, driftThreshold: 5, drift: false });
    const audit = await ctx.db.select().from(auditLog).where(eq(auditLog.action, "statistics.set_threshold"));
    expect(audit).toHaveLength(1);
  });
});

async function computeOnDemand(c: Ctx, view: string) {
  const { computeFeatureStatisticsOp } = await import("./operations");
  return computeFeatureStatisticsOp.call({ ctx: c, input: { project: P, featureView: view } });
}

async function ids(c: Ctx, view: string) {
  const { getFeatureView } = await import("../registry");
  const v = await getFeatureView({ ctx: c, input: { project: P, name: view } });
  return { projectId: v.projectId, featureViewId: v.id };
}
