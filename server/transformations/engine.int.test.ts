import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../../test/db";
import { writeParquet } from "../../test/helpers/files";
import type { SourceDef } from "../offline/source-query";
import { inspectTransformation, type RunnableSpec, runTransformation } from "./engine";

let t: TestDb;
const P = "tx";

function tableSource(name: string, tableName: string, timestampField = "ts"): SourceDef {
  return {
    name,
    kind: "table",
    tableName,
    query: null,
    timestampField,
    createdTimestampField: null,
    fieldMapping: {},
  };
}

const SOURCES: SourceDef[] = [
  tableSource("trips", "trips_raw"),
  tableSource("drivers", "drivers_raw", "joined"),
  {
    name: "long_trips",
    kind: "query",
    tableName: null,
    query: "select * from tx.trips_raw where distance > 10",
    timestampField: "ts",
    createdTimestampField: null,
    fieldMapping: {},
  },
];

const WINDOW_SQL = `select driver_id, ts,
  count(*) over (partition by driver_id order by ts range between interval '7 days' preceding and current row) as trips_7d,
  sum(fare) over (partition by driver_id order by ts range between interval '7 days' preceding and current row) as fare_7d
from trips`;

beforeAll(async () => {
  t = await createTestDb();
  await t.offlineSql(
    P,
    "create table trips_raw (trip_id bigint, driver_id bigint, ts timestamptz, fare double precision, distance real)",
  );
  await t.offlineSql(P, "create table drivers_raw (driver_id bigint, city varchar(20), joined timestamp)");
});
afterAll(async () => {
  await t?.drop();
});

async function rowsOf(table: string): Promise<string[]> {
  const res = await t.offlineSql(P, `select * from ${table}`);
  return res.rows.map((r) => JSON.stringify(r)).sort();
}

const BASE = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;

async function loadTrips(trips: { driver: number; at: number; fare: number }[]): Promise<void> {
  await t.offlineSql(P, "truncate trips_raw");
  if (trips.length === 0) return;
  await t.offlineSql(
    P,
    "insert into trips_raw select i, d, to_timestamp(ms / 1000.0), f, 1 from unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::float8[]) as u(i, d, ms, f)",
    [
      trips.map((_, i) => i),
      trips.map((x) => x.driver),
      trips.map((x) => BASE + x.at),
      trips.map((x) => x.fare),
    ],
  );
}

describe("inspecting a transformation", () => {
  it("infers the output columns, their types and their lineage with no rows read", async () => {
    const i = await inspectTransformation(
      t.offline,
      P,
      { sql: WINDOW_SQL, eventTimestampColumn: "ts" },
      SOURCES,
    );
    expect(i.engine).toBe("postgres");
    expect(i.sources).toEqual(["trips"]);
    expect(i.notIncremental).toEqual([]);
    expect(
      i.columns.map((c) => [c.name, c.columnType, c.valueType, c.from.map((f) => f.column).join("+")]),
    ).toEqual([
      ["driver_id", "bigint", "int64", "driver_id"],
      ["ts", "timestamptz", "unix_timestamp", "ts"],
      ["trips_7d", "bigint", "int64", "driver_id+ts"],
      ["fare_7d", "double precision", "float64", "driver_id+fare+ts"],
    ]);
  });

  it("expands * from the probed columns, through query sources and joins", async () => {
    const i = await inspectTransformation(
      t.offline,
      P,
      { sql: "select * from long_trips join drivers using (driver_id)", eventTimestampColumn: "ts" },
      SOURCES,
    );
    expect(
      i.columns.map(
        (c) => `${c.name}:${c.columnType}<-${c.from.map((f) => `${f.source}.${f.column}`).join(",")}`,
      ),
    ).toEqual([
      "driver_id:bigint<-drivers.driver_id,long_trips.driver_id",
      "trip_id:bigint<-long_trips.trip_id",
      "ts:timestamptz<-long_trips.ts",
      "fare:double precision<-long_trips.fare",
      "distance:real<-long_trips.distance",
      "city:varchar<-drivers.city",
      "joined:timestamp<-drivers.joined",
    ]);
  });

  it("refuses a missing or non-time event-time column, unnamed and duplicate columns, unknown names", async () => {
    const inspect = (sql: string, eventTimestampColumn = "ts") =>
      inspectTransformation(t.offline, P, { sql, eventTimestampColumn }, SOURCES);
    await expect(inspect("select driver_id from trips")).rejects.toMatchObject({
      field: "eventTimestampColumn",
      message: expect.stringContaining('no output column "ts"'),
    });
    await expect(inspect("select driver_id as ts from trips")).rejects.toThrow(
      /"ts" is bigint; it must be a date/,
    );
    await expect(inspect("select ts, fare + 1 from trips")).rejects.toThrow(/output column 2 has no name/);
    await expect(inspect("select ts, driver_id, trip_id as driver_id from trips")).rejects.toThrow(
      /two output columns are named "driver_id"/,
    );
    await expect(inspect("select * from trips_raw")).rejects.toMatchObject({
      field: "sql",
      message: expect.stringContaining('"trips_raw" is not a data source'),
    });
    await expect(inspect("select ts, nosuch from trips")).rejects.toThrow(/column "nosuch" does not exist/);
  });
});

describe("running a transformation", () => {
  const spec = async (sql: string): Promise<RunnableSpec> => {
    const i = await inspectTransformation(t.offline, P, { sql, eventTimestampColumn: "ts" }, SOURCES);
    return { sql, eventTimestampColumn: "ts", columns: i.columns };
  };

  it("incremental runs over consecutive windows give exactly the table one full refresh gives", async () => {
    const s = await spec(WINDOW_SQL);
    let table = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            driver: fc.integer({ min: 1, max: 4 }),
            at: fc.integer({ min: 0, max: 30 * DAY }),
            fare: fc.integer({ min: 0, max: 10_000 }).map((c) => c / 100),
          }),
          { maxLength: 60 },
        ),
        fc.uniqueArray(fc.integer({ min: 1, max: 30 * DAY - 1 }), { maxLength: 6 }),
        async (trips, cuts) => {
          await loadTrips(trips);
          table++;
          const full = { schema: P, table: `full_${table}` };
          const incr = { schema: P, table: `incr_${table}` };
          const written = await runTransformation(t.offline, P, {
            spec: s,
            sources: SOURCES,
            target: full,
            mode: "full",
          });
          expect(written).toBe(trips.length);
          const bounds = [0, ...cuts.sort((a, b) => a - b), 30 * DAY + 1].map((ms) => new Date(BASE + ms));
          let sum = 0;
          for (let k = 0; k + 1 < bounds.length; k++)
            sum += await runTransformation(t.offline, P, {
              spec: s,
              sources: SOURCES,
              target: incr,
              mode: "incremental",
              window: { start: bounds[k] as Date, end: bounds[k + 1] as Date },
              batchSize: 7,
            });
          expect(sum).toBe(trips.length);
          expect(await rowsOf(incr.table)).toEqual(await rowsOf(full.table));
        },
      ),
      { numRuns: 12 },
    );
  });

  it("replaces exactly the window's rows, keeps the others, and a re-run changes nothing", async () => {
    await loadTrips([
      { driver: 1, at: 0, fare: 1 },
      { driver: 1, at: 2 * DAY, fare: 2 },
      { driver: 1, at: 9 * DAY, fare: 4 },
    ]);
    const s = await spec(WINDOW_SQL);
    const target = { schema: P, table: "replace_out" };
    await runTransformation(t.offline, P, { spec: s, sources: SOURCES, target, mode: "full" });
    // The source changes: the first trip's fare is corrected, a trip is added on day 3.
    await t.offlineSql(P, "update trips_raw set fare = 10 where trip_id = 0");
    await t.offlineSql(
      P,
      `insert into trips_raw values (9, 1, '${new Date(BASE + 3 * DAY).toISOString()}', 5, 1)`,
    );
    const window = { start: new Date(BASE + DAY), end: new Date(BASE + 5 * DAY) };
    const n = await runTransformation(t.offline, P, {
      spec: s,
      sources: SOURCES,
      target,
      mode: "incremental",
      window,
    });
    expect(n).toBe(2);
    const fares = async () =>
      (
        await t.offlineSql(
          P,
          "select extract(day from ts - '2026-01-01') as d, trips_7d, fare_7d from replace_out order by ts",
        )
      ).rows.map((r) => `${r.d}:${r.trips_7d}:${r.fare_7d}`);
    // Day 0 is outside the window: its old value stays (fare 1). Days 2 and 3 are recomputed from
    // the corrected source; day 9 is outside and keeps its old 7-day figures (2 trips, not the 3 it has now).
    expect(await fares()).toEqual(["0:1:1", "2:2:12", "3:3:17", "9:2:6"]);
    await runTransformation(t.offline, P, { spec: s, sources: SOURCES, target, mode: "incremental", window });
    expect(await fares()).toEqual(["0:1:1", "2:2:12", "3:3:17", "9:2:6"]);
  });

  it("runs as the reader and writer roles, and the writer owns the output table", async () => {
    await loadTrips([{ driver: 1, at: 0, fare: 1 }]);
    const s = await spec("select driver_id, ts, current_user::text as who from trips");
    await runTransformation(t.offline, P, {
      spec: s,
      sources: SOURCES,
      target: { schema: P, table: "who_out" },
      mode: "full",
    });
    const { rows } = await t.offlineSql(
      P,
      "select who, (select tableowner from pg_tables where tablename = 'who_out') as owner from who_out",
    );
    expect(rows).toEqual([{ who: t.offline.roles(P).reader, owner: t.offline.roles(P).writer }]);
  });

  it("a full refresh recreates the table for a version with other columns; an incremental run is refused", async () => {
    await loadTrips([{ driver: 2, at: DAY, fare: 3 }]);
    const target = { schema: P, table: "versions_out" };
    await runTransformation(t.offline, P, {
      spec: await spec("select driver_id, ts from trips"),
      sources: SOURCES,
      target,
      mode: "full",
    });
    const v2 = await spec("select driver_id, ts, fare * 2 as double_fare from trips");
    await expect(
      runTransformation(t.offline, P, {
        spec: v2,
        sources: SOURCES,
        target,
        mode: "incremental",
        window: { start: new Date(BASE), end: new Date(BASE + 2 * DAY) },
      }),
    ).rejects.toThrow(/other columns than this version outputs; run a full refresh/);
    await runTransformation(t.offline, P, { spec: v2, sources: SOURCES, target, mode: "full" });
    expect(await rowsOf(target.table)).toEqual([
      JSON.stringify({ driver_id: 2, ts: new Date(BASE + DAY), double_fare: 6 }),
    ]);
  });

  it("a failing run leaves the table as it was", async () => {
    await loadTrips([
      { driver: 1, at: 0, fare: 1 },
      { driver: 0, at: DAY, fare: 2 },
    ]);
    const target = { schema: P, table: "atomic_out" };
    const ok = await spec("select driver_id, ts, 10 / driver_id as x from trips where driver_id > 0");
    await runTransformation(t.offline, P, { spec: ok, sources: SOURCES, target, mode: "full" });
    const before = await rowsOf(target.table);
    const failing = { ...ok, sql: "select driver_id, ts, 10 / driver_id as x from trips" };
    await expect(
      runTransformation(t.offline, P, {
        spec: failing,
        sources: SOURCES,
        target,
        mode: "full",
        batchSize: 1,
      }),
    ).rejects.toThrow(/division by zero \(SQLSTATE 22012\)/);
    expect(await rowsOf(target.table)).toEqual(before);
  });
});

describe("file sources run on DuckDB", () => {
  it("infers, runs the 7-day window over a Parquet file, and refuses mixing engines", async () => {
    const rel = "tx/trips.parquet";
    await writeParquet(
      path.join(t.offline.files.dirOf(P), rel),
      [
        { name: "driver_id", type: "BIGINT" },
        { name: "ts", type: "TIMESTAMPTZ" },
        { name: "fare", type: "DOUBLE" },
      ],
      [
        ["1", "'2026-01-01 00:00:00+00'", "1.5"],
        ["1", "'2026-01-03 00:00:00+00'", "2"],
        ["1", "'2026-01-12 00:00:00+00'", "4"],
      ],
    );
    const sources: SourceDef[] = [
      ...SOURCES,
      { ...tableSource("file_trips", ""), kind: "file", tableName: null, path: rel, fileFormat: "parquet" },
    ];
    const sql = WINDOW_SQL.replace("from trips", "from file_trips");
    const i = await inspectTransformation(t.offline, P, { sql, eventTimestampColumn: "ts" }, sources);
    expect(i.engine).toBe("duckdb");
    expect(i.columns.map((c) => `${c.name}:${c.columnType}`)).toEqual([
      "driver_id:bigint",
      "ts:timestamptz",
      "trips_7d:bigint",
      "fare_7d:double precision",
    ]);
    const target = { schema: P, table: "file_out" };
    const s = { sql, eventTimestampColumn: "ts", columns: i.columns };
    expect(
      await runTransformation(t.offline, P, { spec: s, sources, target, mode: "full", batchSize: 2 }),
    ).toBe(3);
    const { rows } = await t.offlineSql(P, "select trips_7d, fare_7d from file_out order by ts");
    expect(rows).toEqual([
      { trips_7d: 1, fare_7d: 1.5 },
      { trips_7d: 2, fare_7d: 3.5 },
      { trips_7d: 1, fare_7d: 4 },
    ]);
    await expect(
      inspectTransformation(
        t.offline,
        P,
        { sql: "select f.ts from file_trips f join drivers d using (driver_id)", eventTimestampColumn: "ts" },
        sources,
      ),
    ).rejects.toThrow(/reads file source "file_trips" \(DuckDB\) and "drivers" \(Postgres\)/);
  });
});
