/**
 * A batch transformation's full refresh against the same SQL run plainly, in the same run:
 *   npm run bench:transform                                  (embedded Postgres)
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:transform
 *
 * Fills a source table with BENCH_ROWS trips (default 200k; 1,000 drivers over 60 days) in the
 * offline database (the project's schema `bench`, as its administrator), then times:
 *   - quiver: runTransformation, mode full, of the 7-day window aggregate (sandbox check and
 *     parse, sources bound by name, the SQL read as the project's reader through a cursor, rows
 *     handed to the writer as text and inserted into the output table in one transaction);
 *   - raw:    `CREATE TABLE … AS` the same window aggregate over the same table, as the offline
 *     administrator (no row leaves Postgres: the floor).
 * BENCH_ROUNDS rounds (default 3) alternate the sides; figures are medians, and the ratio is
 * quiver's median over raw's. Loopback only, in a database and roles of its own, removed at the end.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type pg from "pg";
import { offlineStoreConfig } from "../server/boot/offline-config";
import { createDb, createPool } from "../server/db/client";
import { freePort, startEmbeddedPostgres } from "../server/db/embedded";
import { runMigrations } from "../server/db/migrate";
import { createOfflineStore, type OfflineStore } from "../server/offline";
import { ensureOfflineDatabase } from "../server/offline/database";
import { quoteIdent, type SourceDef } from "../server/offline/source-query";
import { inspectTransformation, runTransformation } from "../server/transformations/engine";

const ROWS = Math.min(Number(process.env.BENCH_ROWS ?? 200_000), 2_000_000);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const PROJECT = "bench";
const LOOPBACK = ["127.0.0.1", "localhost", "::1", "[::1]"];

const WINDOW = `select driver_id, ts,
  count(*) over w as trips_7d,
  sum(fare) over w as fare_7d
from %SOURCE%
window w as (partition by driver_id order by ts range between interval '7 days' preceding and current row)`;

const SOURCES: SourceDef[] = [
  {
    name: "trips",
    kind: "table",
    tableName: `${PROJECT}.trips`,
    query: null,
    timestampField: "ts",
    createdTimestampField: null,
    fieldMapping: {},
  },
];

const now = () => Number(process.hrtime.bigint()) / 1e6;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

async function main() {
  let serverUrl = process.env.DATABASE_URL;
  let embeddedDir: string | undefined;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (serverUrl) {
    if (!LOOPBACK.includes(new URL(serverUrl).hostname)) {
      console.error("refusing to benchmark a non-loopback Postgres");
      process.exit(2);
    }
  } else {
    embeddedDir = fs.mkdtempSync(path.join(os.tmpdir(), "quiver-bench-pg-"));
    const handle = await startEmbeddedPostgres(embeddedDir, await freePort());
    serverUrl = handle.url;
    stopEmbedded = handle.stop;
  }
  const dbName = `quiver_bench_${randomBytes(4).toString("hex")}`;
  const admin = createPool(serverUrl, 1);
  await admin.query(`create database ${dbName}`);
  const u = new URL(serverUrl);
  u.pathname = `/${dbName}`;
  const pool = createPool(u.toString(), 4);
  const rolePrefix = `qb_${randomBytes(4).toString("hex")}`;
  let offline: OfflineStore | undefined;
  let offlineAdmin: pg.Pool | undefined;
  try {
    await runMigrations(pool);
    const offlineUrl = (await ensureOfflineDatabase(u.toString())).url;
    offlineAdmin = createPool(offlineUrl, 1);
    offline = createOfflineStore({
      ...offlineStoreConfig(createDb(pool), offlineUrl),
      secret: randomBytes(24).toString("hex"),
      rolePrefix,
    });
    await offline.provision(PROJECT);
    await offlineAdmin.query(
      `create table ${PROJECT}.trips (driver_id bigint, ts timestamptz, fare double precision)`,
    );
    await offlineAdmin.query(
      `insert into ${PROJECT}.trips
       select i % 1000, timestamptz '2026-01-01T00:00:00Z' + (i * interval '60 days') / $1, (i % 97) / 3.0
       from generate_series(1, $1) as i`,
      [ROWS],
    );
    await offlineAdmin.query(`analyze ${PROJECT}.trips`);
    const sql = WINDOW.replace("%SOURCE%", "trips");
    const inspected = await inspectTransformation(
      offline,
      PROJECT,
      { sql, eventTimestampColumn: "ts" },
      SOURCES,
    );
    const spec = { sql, eventTimestampColumn: "ts", columns: inspected.columns };
    const quiver: number[] = [];
    const raw: number[] = [];
    let written = 0;
    for (let round = 0; round < ROUNDS; round++) {
      let t = now();
      written = await runTransformation(offline, PROJECT, {
        spec,
        sources: SOURCES,
        target: { schema: PROJECT, table: "tx_out" },
        mode: "full",
      });
      quiver.push(now() - t);
      await offlineAdmin.query(`drop table if exists ${PROJECT}.raw_out`);
      t = now();
      await offlineAdmin.query(
        `create table ${PROJECT}.raw_out as ${WINDOW.replace("%SOURCE%", `${PROJECT}.trips`)}`,
      );
      raw.push(now() - t);
    }
    const rawRows = (await offlineAdmin.query(`select count(*)::int as n from ${PROJECT}.raw_out`)).rows[0]
      ?.n;
    if (rawRows !== written) console.warn(`warning: raw wrote ${rawRows} rows, quiver ${written}`);
    const q = median(quiver);
    const r = median(raw);
    console.log(
      `transform bench: ${ROWS} source rows, 7-day window aggregate, full refresh, ${ROUNDS} round(s)`,
    );
    console.log(
      `  quiver runTransformation: ${q.toFixed(0)} ms (${((written / q) * 1000).toFixed(0)} rows/s)`,
    );
    console.log(`  raw CREATE TABLE AS:      ${r.toFixed(0)} ms`);
    console.log(`  ratio quiver / raw:       ${(q / r).toFixed(2)}x`);
  } finally {
    await offline?.close().catch(() => {});
    await offlineAdmin?.end().catch(() => {});
    await pool.end().catch(() => {});
    await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => {});
    await admin.query(`drop database if exists ${dbName}_offline with (force)`).catch(() => {});
    const roles = offline?.roles(PROJECT);
    for (const role of roles ? [roles.reader, roles.writer] : [])
      await admin.query(`drop role if exists ${quoteIdent(role)}`).catch(() => {});
    await admin.end().catch(() => {});
    await stopEmbedded?.().catch(() => {});
    if (embeddedDir) fs.rmSync(embeddedDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
