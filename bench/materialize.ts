/**
 * Materialization throughput against raw baselines, measured in the same run:
 *   npm run bench:materialize                                (embedded Postgres, Postgres store)
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:materialize
 *   REDIS_URL=redis://127.0.0.1:6379 npm run bench:materialize         (Redis online store)
 *
 * Fills a source table with BENCH_ROWS rows (default 200k; two rows per entity, so half as many
 * entities) in the offline database (`<bench database>_offline`, the project's schema `bench`, as
 * its administrator), then times a whole runMaterialization (cursor scan as the project's reader
 * role, conversion, online writes, progress updates) against:
 *   - scan:  `select count(*)` over the same DISTINCT ON query, as the offline administrator (the
 *            source side's floor: no row leaves Postgres);
 *   - write: the same rows, prepared in memory, written raw in batches of BENCH_BATCH, one batch at
 *            a time: for Postgres the store's own statement (INSERT ... SELECT FROM
 *            jsonb_array_elements of one JSON document, the fastest form measured); for Redis
 *            pipelined SETs of the rows in the store's own encoding, on a plain ioredis client.
 * The ratio is quiver's time over (scan + write): a floor that skips moving rows out of Postgres.
 * A second baseline, "raw streamed", is the plain program a person would write: a cursor over
 * the same query, FETCH a batch, build its rows by hand, write it, fetch the next.
 * Both raw writers store the same rows and bytes as the store: checked at the end (a warning says
 * so when they differ, e.g. after the store's encoding changed). BENCH_ROUNDS rounds (default 3)
 * interleave every side; figures are medians, and the ratio's median per round is printed beside
 * the ratio of medians (the machine is shared: load drifts during a run). BENCH_RANGES=K splits
 * the run into K key ranges, all run by its coordinator here (no other worker): the cost of the
 * split itself. Loopback only, bounded (at most 2M rows), works in databases, roles (and a Redis
 * key prefix) of its own and removes them.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import type pg from "pg";
import { offlineStoreConfig } from "../server/boot/offline-config";
import type { Ctx, JobQueue } from "../server/core/context";
import { rootLogger } from "../server/core/log";
import { createDb, createPool, type Db } from "../server/db/client";
import { freePort, startEmbeddedPostgres } from "../server/db/embedded";
import { runMigrations } from "../server/db/migrate";
import { runMaterialization, startMaterialization } from "../server/materialization";
import {
  createOfflineStore,
  latestPerEntityQuery,
  type OfflineStore,
  readLatestPerEntity,
  type SourceRow,
  viewColumns,
} from "../server/offline";
import { ensureOfflineDatabase } from "../server/offline/database";
import { quoteIdent } from "../server/offline/source-query";
import { createOnlineStore } from "../server/online";
import { featureList, RowWriter } from "../server/online/redis-codec";
import { rowKey } from "../server/online/redis-keys";
import {
  createDataSource,
  createEntity,
  createFeatureView,
  ensureProject,
  getFeatureView,
} from "../server/registry";

const ROWS = Math.min(Number(process.env.BENCH_ROWS ?? 200_000), 2_000_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 5000);
const RANGES = Number(process.env.BENCH_RANGES ?? 1);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const PROJECT = "bench";
const VIEW = "driver_stats";
const LOOPBACK = ["127.0.0.1", "localhost", "::1", "[::1]"];

function loopbackOrExit(what: string, url: string) {
  const host = new URL(url).hostname;
  if (!LOOPBACK.includes(host)) {
    console.error(`refusing to benchmark a non-loopback ${what} (${host})`);
    process.exit(2);
  }
}

const now = () => Number(process.hrtime.bigint()) / 1e6;
async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = now();
  const r = await fn();
  return [r, now() - t];
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

async function main() {
  if (!Number.isInteger(ROWS) || ROWS < 2) throw new Error("BENCH_ROWS must be an integer >= 2");
  const redisUrl = process.env.REDIS_URL;
  if (redisUrl) loopbackOrExit("Redis", redisUrl);

  // A server: the configured one, or an embedded one in a temp folder.
  let serverUrl = process.env.DATABASE_URL;
  let embeddedDir: string | undefined;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (serverUrl) loopbackOrExit("Postgres", serverUrl);
  else {
    embeddedDir = fs.mkdtempSync(path.join(os.tmpdir(), "quiver-bench-pg-"));
    const handle = await startEmbeddedPostgres(embeddedDir, await freePort());
    serverUrl = handle.url;
    stopEmbedded = handle.stop;
  }

  // A database of our own on it, dropped at the end.
  const dbName = `quiver_bench_${randomBytes(4).toString("hex")}`;
  const admin = createPool(serverUrl, 1);
  await admin.query(`create database ${dbName}`);
  const u = new URL(serverUrl);
  u.pathname = `/${dbName}`;
  const pool = createPool(u.toString(), 6);
  const db = createDb(pool);
  const prefix = `quiver-bench-${randomBytes(4).toString("hex")}:`;
  const online = createOnlineStore({ redisUrl, pool, prefix });
  // The raw side: plain ioredis, without the store's fail-fast settings and per-command timers.
  const raw = redisUrl ? new Redis(redisUrl) : undefined;
  // Roles are the cluster's: a prefix of this run's own, so the cleanup drops exactly these.
  const rolePrefix = `qb_${randomBytes(4).toString("hex")}`;
  let offline: OfflineStore | undefined;
  let offlineAdmin: pg.Pool | undefined;

  try {
    await runMigrations(pool);
    const offlineUrl = (await ensureOfflineDatabase(u.toString())).url;
    offlineAdmin = createPool(offlineUrl, 2);
    offline = openOfflineStore(offlineUrl, rolePrefix, db);
    const jobs: JobQueue = {
      async enqueueMaterialization() {},
      async cancelMaterialization() {},
      async enqueueSourceProbe() {},
      async enqueueDatasetBuild() {},
      async cancelDatasetBuild() {},
      async enqueueStatistics() {},
      async enqueueTransformationRun() {},
    };
    const ctx: Ctx = {
      actor: { kind: "system", name: "bench" },
      db,
      online,
      offline,
      jobs,
      log: rootLogger(),
    };
    await seed(ctx, offlineAdmin);
    const detail = await getFeatureView({ ctx, input: { project: PROJECT, name: VIEW } });
    const columns = viewColumns(detail.spec.fields, detail.entities);
    const window = { start: new Date("2026-01-01T00:00:00Z"), end: new Date("2026-02-01T00:00:00Z") };
    const q = latestPerEntityQuery(detail.source, columns, window);
    // Warm the buffer cache so no side pays for the first read from disk.
    await offlineAdmin.query(`select count(*) from ${SOURCE_TABLE}`);

    // Raw write input, prepared outside the timing.
    const rows: SourceRow[] = [];
    for await (const b of readLatestPerEntity(offline, PROJECT, detail.source, columns, window))
      rows.push(...b);
    const scanPool = offlineAdmin;
    const rawWriter = raw
      ? redisRawWriter(raw, `${prefix}raw:`, prefix)
      : postgresRawWriter(pool, "raw_baseline");

    const quiverMs: number[] = [];
    const scanMs: number[] = [];
    const writeMs: number[] = [];
    const streamedMs: number[] = [];
    let written = 0;
    for (let round = 0; round < ROUNDS; round++) {
      await online.deleteView(PROJECT, VIEW);
      const [[run], startMs] = await timed(async () => {
        const [r] = await startMaterialization({
          ctx,
          input: { project: PROJECT, startTs: window.start, endTs: window.end },
        });
        if (!r) throw new Error("no run");
        const split = RANGES > 1 ? { splitRows: 1, maxRanges: RANGES } : {};
        return [await runMaterialization(ctx, r.id, { batchSize: BATCH, ...split })];
      });
      if (run?.status !== "succeeded") throw new Error(`run ended ${run?.status}: ${run?.error}`);
      written = run.rowsWritten;
      quiverMs.push(startMs);

      const [, s] = await timed(() =>
        scanPool.query({ text: `select count(*) from (${q.text}) q`, values: q.values }),
      );
      scanMs.push(s);

      await rawWriter.clear();
      const [, w] = await timed(async () => {
        for (let i = 0; i < rows.length; i += BATCH) await rawWriter.write(rows.slice(i, i + BATCH));
      });
      writeMs.push(w);

      await rawWriter.clear();
      const [, st] = await timed(() => rawStreamed(scanPool, q, rawWriter));
      streamedMs.push(st);
      if (process.env.BENCH_VERBOSE)
        console.log(
          `round ${round}: quiver ${startMs.toFixed(0)} ms, scan ${s.toFixed(0)} ms, write ${w.toFixed(0)} ms, streamed ${st.toFixed(0)} ms`,
        );
    }
    const same = await rawWriter.sameAsStore(rows.map((r) => r.entityKey));
    if (!same)
      console.log(
        "  WARNING: the raw baseline's stored rows differ from the store's: it no longer writes the same bytes",
      );
    await rawWriter.clear();

    const quiver = median(quiverMs);
    const baseline = median(scanMs) + median(writeMs);
    const rate = (ms: number) => Math.round((written / ms) * 1000).toLocaleString("en-US");
    console.log(
      `materialize: ${ROWS.toLocaleString("en-US")} source rows, ${written.toLocaleString("en-US")} entities, ` +
        `store=${online.kind}, batch=${BATCH}, ${RANGES > 1 ? `${RANGES} key ranges, ` : ""}median of ${ROUNDS}`,
    );
    console.log(
      `  quiver run           ${quiver.toFixed(0).padStart(7)} ms  ${rate(quiver).padStart(10)} rows/s`,
    );
    console.log(`  raw scan (count)     ${median(scanMs).toFixed(0).padStart(7)} ms`);
    console.log(
      `  raw write (${online.kind === "redis" ? "SET pipeline" : "INSERT..jsonb doc"}) ${median(writeMs).toFixed(0).padStart(5)} ms`,
    );
    console.log(
      `  raw scan + write     ${baseline.toFixed(0).padStart(7)} ms  ${rate(baseline).padStart(10)} rows/s`,
    );
    const perRound = (raws: number[]) => median(quiverMs.map((q, i) => (raws[i] ?? Number.NaN) / q));
    console.log(
      `  ratio quiver / raw   ${(quiver / baseline).toFixed(2)}x  (raw / quiver ${(baseline / quiver).toFixed(2)}; ` +
        `per round, median ${perRound(scanMs.map((s, i) => s + (writeMs[i] ?? Number.NaN))).toFixed(2)})`,
    );
    const streamed = median(streamedMs);
    console.log(
      `  raw streamed (cursor → write, one batch at a time) ${streamed.toFixed(0).padStart(7)} ms  ${rate(streamed).padStart(10)} rows/s`,
    );
    console.log(
      `  ratio quiver / raw streamed ${(quiver / streamed).toFixed(2)}x  (raw streamed / quiver ${(streamed / quiver).toFixed(2)}; ` +
        `per round, median ${perRound(streamedMs).toFixed(2)})`,
    );
  } finally {
    await online.deleteView(PROJECT, VIEW).catch(() => {});
    if (raw) {
      await deleteKeys(raw, `${prefix}*`).catch(() => {});
      raw.disconnect();
    }
    await online.close().catch(() => {});
    const roles = offline?.roles(PROJECT);
    await offline?.close().catch(() => {});
    await offlineAdmin?.end().catch(() => {});
    await pool.end().catch(() => {});
    await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => {});
    await admin.query(`drop database if exists ${dbName}_offline with (force)`).catch(() => {});
    // After the offline database: its grants were the roles' last dependencies.
    for (const role of roles ? [roles.reader, roles.writer] : [])
      await admin.query(`drop role if exists ${quoteIdent(role)}`).catch(() => {});
    await admin.end().catch(() => {});
    await stopEmbedded?.().catch(() => {});
    if (embeddedDir) fs.rmSync(embeddedDir, { recursive: true, force: true });
  }
}

/** The source table: in the bench project's own offline schema (named after the project). */
const SOURCE_TABLE = `${PROJECT}.driver_stats`;

/** An offline store like the app's (its settings from env()), with roles of this run's own. */
function openOfflineStore(offlineUrl: string, rolePrefix: string, db: Db): OfflineStore {
  // The app's settings, with a secret and role names of the bench's own.
  return createOfflineStore({
    ...offlineStoreConfig(db, offlineUrl),
    secret: randomBytes(24).toString("hex"),
    rolePrefix,
  });
}

/**
 * The project's schema and roles (provisioned by the store), the source table filled in bulk by the
 * offline administrator (readable by the project's reader through the schema's default privileges),
 * then the registry objects.
 */
async function seed(ctx: Ctx, offlineAdmin: pg.Pool) {
  const entities = Math.floor(ROWS / 2);
  await ctx.offline.provision(PROJECT);
  await offlineAdmin.query(`
    create table ${SOURCE_TABLE} (
      driver_id bigint not null, conv_rate double precision, trips bigint,
      event_timestamp timestamptz not null, created timestamptz)`);
  // Two rows per driver, both inside the window; the later one is the one materialized.
  await offlineAdmin.query(
    `insert into ${SOURCE_TABLE}
     select 1000000 + (i % $2), random(), (random() * 1000)::bigint,
            timestamptz '2026-01-01T00:00:00Z' + (i * interval '1 second') / 10, now()
     from generate_series(0, $1 - 1) as i`,
    [ROWS, entities],
  );
  await offlineAdmin.query(`analyze ${SOURCE_TABLE}`);
  await ensureProject({ ctx, input: { name: PROJECT } });
  await createEntity({
    ctx,
    input: { project: PROJECT, name: "driver", joinKey: "driver_id", valueType: "int64" },
  });
  await createDataSource({
    ctx,
    input: {
      project: PROJECT,
      name: "driver_stats_source",
      kind: "table",
      tableName: SOURCE_TABLE,
      timestampField: "event_timestamp",
      createdTimestampField: "created",
    },
  });
  await createFeatureView({
    ctx,
    input: {
      project: PROJECT,
      spec: {
        name: VIEW,
        entities: ["driver"],
        source: "driver_stats_source",
        ttlSeconds: 0,
        fields: [
          { name: "conv_rate", dtype: "float64" },
          { name: "trips", dtype: "int64" },
        ],
      },
    },
  });
}

/** A raw writer: the same rows and stored bytes as the store, without Quiver's machinery. */
interface RawWriter {
  write(
    rows: readonly { entityKey: string; values: Record<string, unknown>; eventTs: Date }[],
  ): Promise<void>;
  clear(): Promise<void>;
  /** Whether what it stored for these keys equals what the store stored for the view. */
  sameAsStore(keys: string[]): Promise<boolean>;
}

/**
 * Postgres: the store's own statement form (one JSON document per batch into INSERT ... SELECT
 * FROM jsonb_array_elements, ON CONFLICT with the event-time guard; the fastest form measured, see
 * postgres-store.ts), one statement at a time, into a view name of its own.
 */
function postgresRawWriter(pool: pg.Pool, view: string): RawWriter {
  return {
    async write(rows) {
      await pool.query({
        text: `insert into online_values (project, feature_view, entity_key, "values", event_ts)
               select $1, $2, e ->> 0, e -> 1, (e ->> 2)::timestamptz
               from jsonb_array_elements($3::jsonb) as e
               on conflict (project, feature_view, entity_key) do update
                 set "values" = excluded."values", event_ts = excluded.event_ts, written_at = now()
                 where online_values.event_ts <= excluded.event_ts`,
        values: [PROJECT, view, JSON.stringify(rows.map((r) => [r.entityKey, r.values, r.eventTs]))],
      });
    },
    async clear() {
      await pool.query("delete from online_values where project = $1 and feature_view = $2", [PROJECT, view]);
    },
    async sameAsStore() {
      const { rows } = await pool.query(
        `select (select count(*) from online_values where project = $1 and feature_view = $2)::int as store,
                (select count(*) from online_values where project = $1 and feature_view = $3)::int as raw,
                (select count(*) from online_values a join online_values b
                   on b.project = a.project and b.feature_view = $3 and b.entity_key = a.entity_key
                 where a.project = $1 and a.feature_view = $2
                   and a."values" = b."values" and a.event_ts = b.event_ts)::int as same`,
        [PROJECT, VIEW, view],
      );
      const r = rows[0];
      return r !== undefined && r.store > 0 && r.store === r.raw && r.raw === r.same;
    },
  };
}

/**
 * Redis: the store's row encoding (redis-codec.ts: one binary value per entity, written by the
 * same RowWriter) sent as plain pipelined SETs, 1000 per pipeline, without the store's
 * newest-wins script and feature list registration.
 */
function redisRawWriter(redis: Redis, keyPrefix: string, storePrefix: string): RawWriter {
  return {
    async write(rows) {
      for (let i = 0; i < rows.length; i += 1000) {
        const p = redis.pipeline();
        const w = new RowWriter();
        for (const r of rows.slice(i, i + 1000))
          p.set(
            rowKey(keyPrefix, PROJECT, VIEW, r.entityKey),
            w.row(r.eventTs.getTime(), featureList(Object.keys(r.values)), r.values),
          );
        await p.exec();
      }
    },
    async clear() {
      await deleteKeys(redis, `${keyPrefix}*`);
    },
    async sameAsStore(keys) {
      // A sample: every 97th key, the raw writer's value against the store's, whatever its type.
      const sample = keys.filter((_, i) => i % 97 === 0);
      const read = async (key: string) => {
        const type = await redis.type(key);
        if (type === "hash") return JSON.stringify(Object.entries(await redis.hgetall(key)).sort());
        if (type === "string") return (await redis.getBuffer(key))?.toString("base64") ?? null;
        return null;
      };
      for (const k of sample) {
        const [ours, theirs] = await Promise.all([
          read(rowKey(keyPrefix, PROJECT, VIEW, k)),
          read(rowKey(storePrefix, PROJECT, VIEW, k)),
        ]);
        if (ours === null || ours !== theirs) return false;
      }
      return sample.length > 0;
    },
  };
}

/**
 * The raw streamed writer: a cursor over the same latest-per-entity query (as the offline
 * administrator), FETCH a batch, turn it into rows by hand, write it, fetch the next.
 */
async function rawStreamed(admin: pg.Pool, q: { text: string; values: unknown[] }, writer: RawWriter) {
  const client = await admin.connect();
  try {
    await client.query("begin isolation level repeatable read read only");
    await client.query("set local time zone 'UTC'");
    await client.query({ text: `declare raw_scan no scroll cursor for ${q.text}`, values: q.values });
    for (;;) {
      const { rows } = await client.query(`fetch forward ${BATCH} from raw_scan`);
      if (rows.length > 0)
        await writer.write(
          rows.map((r) => ({
            entityKey: JSON.stringify([["driver_id", String(r.driver_id)]]),
            values: { conv_rate: r.conv_rate, trips: Number(r.trips) },
            eventTs: r.__event_ts,
          })),
        );
      if (rows.length < BATCH) break;
    }
    await client.query("commit");
  } finally {
    client.release();
  }
}

async function deleteKeys(redis: Redis, pattern: string) {
  for await (const keys of redis.scanStream({ match: pattern, count: 1000 }) as AsyncIterable<string[]>)
    if (keys.length > 0) await redis.unlink(...keys);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
