import { describe, expect, it } from "vitest";
import { analyze, bindSources, parseTransformationSql } from "./sql";

const SOURCES = new Map<string, readonly string[] | null>([
  ["trips", ["trip_id", "driver_id", "ts", "fare", "distance"]],
  ["drivers", ["driver_id", "city", "joined"]],
  ["ratings", ["driver_id", "ts", "stars"]],
]);

async function run(sql: string, sources = SOURCES) {
  return analyze(await parseTransformationSql(sql), sources);
}

/** Lineage as "output <- source.column, …" lines, written by hand in the expectations. */
async function lineage(sql: string): Promise<string[]> {
  const a = await run(sql);
  return a.columns.map((c) => `${c.name} <- ${c.from.map((f) => `${f.source}.${f.column}`).join(", ")}`);
}

describe("column lineage from the parse tree", () => {
  it("follows plain columns and aliases", async () => {
    expect(await lineage("select driver_id, fare as amount, t.ts from trips t")).toEqual([
      "driver_id <- trips.driver_id",
      "amount <- trips.fare",
      "ts <- trips.ts",
    ]);
  });

  it("derives the 7-day window aggregate from its partition and order columns", async () => {
    const sql = `select driver_id, ts,
        count(*) over (partition by driver_id order by ts
                       range between interval '7 days' preceding and current row) as trips_7d,
        sum(fare) over w as fare_7d
      from trips
      window w as (partition by driver_id order by ts range between interval '7 days' preceding and current row)`;
    expect(await lineage(sql)).toEqual([
      "driver_id <- trips.driver_id",
      "ts <- trips.ts",
      "trips_7d <- trips.driver_id, trips.ts",
      "fare_7d <- trips.driver_id, trips.fare, trips.ts",
    ]);
    expect((await run(sql)).notIncremental).toEqual([]);
  });

  it("gives aggregates of a grouped query their GROUP BY columns", async () => {
    expect(
      await lineage(
        "select driver_id, date_trunc('day', ts) as day, count(*) as n, avg(fare * distance) filter (where fare > 0) as x from trips group by 1, 2",
      ),
    ).toEqual([
      "driver_id <- trips.driver_id",
      "day <- trips.ts",
      "n <- ",
      "x <- trips.distance, trips.fare",
    ]);
    expect(
      await lineage("select driver_id, max(ts) as last_ts, count(*) as n from trips group by driver_id"),
    ).toEqual([
      "driver_id <- trips.driver_id",
      "last_ts <- trips.driver_id, trips.ts",
      "n <- trips.driver_id",
    ]);
  });

  it("follows expressions, casts, CASE and COALESCE and names them as Postgres does", async () => {
    expect(
      await lineage(
        "select fare::numeric, case when distance > 10 then fare else 0 end, coalesce(fare, distance), fare + 1 from trips",
      ),
    ).toEqual([
      "fare <- trips.fare",
      "case <- trips.distance, trips.fare",
      "coalesce <- trips.distance, trips.fare",
      "?column? <- trips.fare",
    ]);
  });

  it("goes through CTEs (chained), subqueries and joins", async () => {
    const sql = `with t as (select driver_id, fare * 2 as double_fare, ts from trips),
                      t2 as (select driver_id as d, double_fare as f2, ts from t)
      select x.d, x.f2, dr.city, x.ts
      from (select * from t2) x join drivers dr on dr.driver_id = x.d`;
    expect(await lineage(sql)).toEqual([
      "d <- trips.driver_id",
      "f2 <- trips.fare",
      "city <- drivers.city",
      "ts <- trips.ts",
    ]);
    expect((await run(sql)).sources).toEqual(["trips", "drivers"]);
  });

  it("expands * over sources, qualified stars and JOIN USING as Postgres does", async () => {
    expect(await lineage("select * from drivers")).toEqual([
      "driver_id <- drivers.driver_id",
      "city <- drivers.city",
      "joined <- drivers.joined",
    ]);
    expect(await lineage("select * from drivers join ratings using (driver_id)")).toEqual([
      "driver_id <- drivers.driver_id, ratings.driver_id",
      "city <- drivers.city",
      "joined <- drivers.joined",
      "ts <- ratings.ts",
      "stars <- ratings.stars",
    ]);
    expect(
      await lineage("select r.*, d.city from ratings r, drivers d where r.driver_id = d.driver_id"),
    ).toEqual([
      "driver_id <- ratings.driver_id",
      "ts <- ratings.ts",
      "stars <- ratings.stars",
      "city <- drivers.city",
    ]);
  });

  it("merges set operations by position and reads scalar and correlated subqueries", async () => {
    expect(
      await lineage("select driver_id, ts from trips union all select driver_id, joined from drivers"),
    ).toEqual(["driver_id <- drivers.driver_id, trips.driver_id", "ts <- drivers.joined, trips.ts"]);
    expect(
      await lineage(
        "select d.driver_id, (select avg(stars) from ratings r where r.driver_id = d.driver_id) as stars from drivers d",
      ),
    ).toEqual(["driver_id <- drivers.driver_id", "stars <- ratings.stars"]);
  });

  it("lets a CTE shadow a source, and renames through column aliases", async () => {
    expect(await lineage("with trips as (select driver_id as k from ratings) select k from trips")).toEqual([
      "k <- ratings.driver_id",
    ]);
    expect(await lineage("select a, b from (select driver_id, fare from trips) as s(a, b)")).toEqual([
      "a <- trips.driver_id",
      "b <- trips.fare",
    ]);
  });

  it("marks * over a set-returning function as incomplete", async () => {
    const a = await run("select * from trips, generate_series(1, 3)");
    expect(a.complete).toBe(false);
  });
});

describe("names and the incremental rule", () => {
  it("refuses a name that is not a source, naming it and its position", async () => {
    await expect(run("select * from trips join secrets using (driver_id)")).rejects.toThrow(
      /^sql: "secrets" is not a data source of this project \(at position 26\)$/,
    );
    await expect(run("select 1 where exists (select 1 from nope)")).rejects.toThrow(
      /"nope" is not a data source/,
    );
  });

  it("refuses schema-qualified names", async () => {
    await expect(run("select * from demo.trips")).rejects.toThrow(/"demo.trips" is a qualified table name/);
  });

  it("passes the sandbox's refusals on, on the sql field", async () => {
    await expect(run("delete from trips")).rejects.toMatchObject({
      field: "sql",
      message: expect.stringMatching(/^sql: only a SELECT is allowed/),
    });
    await expect(run("select pg_sleep(1) from trips")).rejects.toThrow(/function pg_sleep is not allowed/);
  });

  it.each([
    ["select * from trips limit 10", /LIMIT/],
    ["select * from (select * from trips offset 5) s", /LIMIT, OFFSET/],
    ["select *, random() as r from trips", /random\(\)/],
    ["select * from trips where ts > now() - interval '7 days'", /now\(\)/],
    ["select *, current_timestamp as at from trips", /clock/],
    ["select distinct on (driver_id) * from trips order by driver_id, ts desc", /DISTINCT ON/],
    ["select * from trips tablesample system (10)", /TABLESAMPLE/],
  ])("refuses incremental runs of %s", async (sql, reason) => {
    const a = await run(sql);
    expect(a.notIncremental.join("; ")).toMatch(reason);
  });

  it("allows incremental runs of deterministic SQL", async () => {
    for (const sql of [
      "select distinct driver_id, ts from trips",
      "select driver_id, ts, sum(fare) over (partition by driver_id order by ts) from trips",
      "with x as (select * from trips) select * from x where fare > 0 order by ts",
    ])
      expect((await run(sql)).notIncremental).toEqual([]);
  });
});

describe("binding sources by name", () => {
  it("wraps the SQL in CTEs named after the sources", () => {
    expect(
      bindSources("select * from trips -- c", [{ name: "trips", relation: 'SELECT * FROM "demo"."t"' }]),
    ).toBe(
      'WITH "trips" AS (\nSELECT * FROM "demo"."t"\n)\nSELECT * FROM (\nselect * from trips -- c\n) AS q',
    );
  });
});
