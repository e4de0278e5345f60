import "server-only";
import type pg from "pg";
import { gaussian, mulberry32 } from "./prng";

export const DEMO_DRIVERS = { first: 1001, count: 50 } as const;
export const DEMO_CUSTOMERS = { first: 2001, count: 50 } as const;
export const DEMO_DAYS = 15;
/** The demo's tables, in the demo project's own offline schema (named after it). */
export const DRIVER_TABLE = "demo.driver_hourly_stats";
export const CUSTOMER_TABLE = "demo.customer_profile";

const HOUR_MS = 3_600_000;
const SEED = 20_240_601;

/** The hour the demo data ends at: `now` truncated to the hour (UTC). */
export function demoEnd(now: Date): Date {
  return new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS);
}

/** The first event time of the demo data: DEMO_DAYS of hours ending at demoEnd(now), inclusive. */
export function demoStart(now: Date): Date {
  return new Date(demoEnd(now).getTime() - (DEMO_DAYS * 24 - 1) * HOUR_MS);
}

type Value = string | number;
type Columns<K extends string = string> = Record<K, Value[]>;

function emptyColumns<K extends string>(names: readonly K[]): Columns<K> {
  return Object.fromEntries(names.map((n) => [n, [] as Value[]])) as Columns<K>;
}

/**
 * (Re)creates the demo's offline tables in the demo's offline schema and fills them, as the project's
 * writer role (the caller's transaction, `client`): hourly stats for
 * drivers 1001-1050 and a daily profile snapshot (at the same hour of day) for customers
 * 2001-2050, over the DEMO_DAYS up to the current hour. Values come from a seeded PRNG, so the
 * same `now` always gives the same rows. `created` lands a few minutes after the event, as a
 * pipeline writing late would.
 */
export async function writeDemoTables(
  client: pg.ClientBase,
  now: Date,
): Promise<{ driverRows: number; customerRows: number }> {
  const rand = mulberry32(SEED);
  const drivers = driverRows(rand, demoStart(now));
  const customers = customerRows(rand, demoEnd(now));
  await client.query(DDL);
  await insertColumns(client, DRIVER_TABLE, drivers, {
    driver_id: "bigint",
    event_timestamp: "timestamptz",
    created: "timestamptz",
    conv_rate: "double precision",
    acc_rate: "double precision",
    avg_daily_trips: "integer",
  });
  await insertColumns(client, CUSTOMER_TABLE, customers, {
    customer_id: "bigint",
    event_timestamp: "timestamptz",
    created: "timestamptz",
    current_balance: "double precision",
    avg_passenger_count: "double precision",
    lifetime_trip_count: "bigint",
  });
  return { driverRows: rowCount(drivers), customerRows: rowCount(customers) };
}

const DDL = `
drop table if exists ${DRIVER_TABLE};
create table ${DRIVER_TABLE} (
  driver_id bigint not null,
  event_timestamp timestamptz not null,
  created timestamptz not null,
  conv_rate double precision,
  acc_rate double precision,
  avg_daily_trips integer
);
-- Serves materialization's scan of an event-time window.
create index on ${DRIVER_TABLE} (event_timestamp);
drop table if exists ${CUSTOMER_TABLE};
create table ${CUSTOMER_TABLE} (
  customer_id bigint not null,
  event_timestamp timestamptz not null,
  created timestamptz not null,
  current_balance double precision,
  avg_passenger_count double precision,
  lifetime_trip_count bigint
);
create index on ${CUSTOMER_TABLE} (event_timestamp);
`;

function driverRows(rand: () => number, start: Date): Columns {
  const cols = emptyColumns([
    "driver_id",
    "event_timestamp",
    "created",
    "conv_rate",
    "acc_rate",
    "avg_daily_trips",
  ] as const);
  for (let d = 0; d < DEMO_DRIVERS.count; d++) {
    // Each driver has a profile; the hourly values move around it with a daily rhythm.
    const baseConv = 0.35 + 0.5 * rand();
    const baseAcc = 0.55 + 0.4 * rand();
    const baseTrips = 80 + 420 * rand();
    for (let h = 0; h < DEMO_DAYS * 24; h++) {
      const ts = start.getTime() + h * HOUR_MS;
      const hourOfDay = new Date(ts).getUTCHours();
      const rhythm = Math.sin((2 * Math.PI * (hourOfDay - 6)) / 24);
      cols.driver_id.push(DEMO_DRIVERS.first + d);
      cols.event_timestamp.push(new Date(ts).toISOString());
      cols.created.push(new Date(ts + Math.floor(60 + rand() * 540) * 1000).toISOString());
      cols.conv_rate.push(round(clamp01(baseConv + 0.08 * rhythm + 0.04 * gaussian(rand)), 4));
      cols.acc_rate.push(round(clamp01(baseAcc + 0.03 * gaussian(rand)), 4));
      cols.avg_daily_trips.push(
        Math.max(0, Math.round(baseTrips * (1 + 0.15 * rhythm) + 12 * gaussian(rand))),
      );
    }
  }
  return cols;
}

function customerRows(rand: () => number, end: Date): Columns {
  const cols = emptyColumns([
    "customer_id",
    "event_timestamp",
    "created",
    "current_balance",
    "avg_passenger_count",
    "lifetime_trip_count",
  ] as const);
  for (let c = 0; c < DEMO_CUSTOMERS.count; c++) {
    let balance = 20 + 480 * rand();
    const passengers = 1 + 2 * rand();
    let trips = Math.floor(10 + 1990 * rand());
    for (let day = 0; day < DEMO_DAYS; day++) {
      const ts = end.getTime() - (DEMO_DAYS - 1 - day) * 24 * HOUR_MS;
      balance = Math.max(0, balance + 25 * gaussian(rand));
      trips += Math.floor(rand() * 4);
      cols.customer_id.push(DEMO_CUSTOMERS.first + c);
      cols.event_timestamp.push(new Date(ts).toISOString());
      cols.created.push(new Date(ts + Math.floor(120 + rand() * 1800) * 1000).toISOString());
      cols.current_balance.push(round(balance, 2));
      cols.avg_passenger_count.push(round(passengers + 0.3 * gaussian(rand), 2));
      cols.lifetime_trip_count.push(trips);
    }
  }
  return cols;
}

/**
 * One INSERT ... SELECT FROM unnest(...) per table: a parameter per column (an array literal)
 * instead of one per value, which stays far below Postgres' 65535-parameter limit.
 */
async function insertColumns(
  client: pg.ClientBase,
  table: string,
  cols: Columns,
  types: Record<string, string>,
) {
  const names = Object.keys(types);
  const arrays = names.map(
    (n) => `{${(cols[n] ?? []).map((v) => (typeof v === "number" ? String(v) : `"${v}"`)).join(",")}}`,
  );
  const unnest = names.map((n, i) => `$${i + 1}::${types[n]}[]`).join(", ");
  await client.query(`insert into ${table} (${names.join(", ")}) select * from unnest(${unnest})`, arrays);
}

function rowCount(cols: Columns): number {
  return Object.values(cols)[0]?.length ?? 0;
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/**
 * The demo dataset's entity rows as CSV: `count` trips, each a driver, a customer and a request
 * time at half past an hour from the second day of the data to its end (so every feature has a
 * row inside its view's ttl). Deterministic for the same `now`.
 */
export function demoEntityRows(now: Date, count: number): string {
  const rand = mulberry32(SEED + 1);
  const first = demoStart(now).getTime() + 24 * HOUR_MS;
  const hours = Math.floor((demoEnd(now).getTime() - first) / HOUR_MS);
  const lines = ["driver_id,customer_id,event_timestamp"];
  for (let i = 0; i < count; i++) {
    const driver = DEMO_DRIVERS.first + Math.floor(rand() * DEMO_DRIVERS.count);
    const customer = DEMO_CUSTOMERS.first + Math.floor(rand() * DEMO_CUSTOMERS.count);
    const at = first + Math.floor((i * hours) / count) * HOUR_MS + 30 * 60_000;
    lines.push(`${driver},${customer},${new Date(at).toISOString()}`);
  }
  return `${lines.join("\n")}\n`;
}
