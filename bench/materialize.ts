/**
 * Materialization throughput against raw baselines, measured in the same run:
 *   npx tsx bench/materialize.ts                               (embedded Postgres, Postgres store)
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/materialize.ts
 *   REDIS_URL=redis://127.0.0.1:6379 npx tsx bench/materialize.ts        (Redis online store)
 *
 * Fills a source table with BENCH_ROWS rows (default 200k; two rows per entity, so half as many
 * entities), then times a whole runMaterialization (cursor scan, conversion, online writes,
 * progress updates) against:
 *   - scan:  `select count(*)` over the same DISTINCT ON query (the source side's floor);
 *   - write: the same rows written raw: for Postgres one INSERT ... SELECT of that query into
 *            online_values; for Redis a pipelined HSET of the same rows prepared in memory.
 * The ratio is quiver's time over (scan + write). Loopback only, bounded (at most 2M rows),
 * works in a database (and Redis key prefix) of its own and removes them.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type pg from "pg";
import type { Ctx, JobQueue } from "../server/context";
import { createDb, createPool } from "../server/db/client";
import { freePort, startEmbeddedPostgres } from "../server/db/embedded";
import { runMigrations } from "../server/db/migrate";
import { runMaterialization, startMaterialization } from "../server/materialization";
import { latestPerEntityQuery, readLatestPerEntity, type SourceRow, viewColumns } from "../server/offline";
import { createOnlineStore } from "../server/online";
import { connectRedis } from "../server/online/redis-client";
import { rowKey, TS_FIELD, tsMicros } from "../server/online/redis-keys";
import {
  createDataSource,
  createEntity,
  createFeatureView,
  ensureProject,
  getFeatureView,
} from "../server/registry";

const ROWS = Math.min(Number(process.env.BENCH_ROWS ?? 200_000), 2_000_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 5000);
const ROUNDS = 3;
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
  const prefix = `quiver-bench-${randomBytes(4).toString("hex")}:`;
  const online = createOnlineStore({ redisUrl, pool, prefix });
  const raw = redisUrl ? connectRedis(redisUrl) : undefined;

  try {
    await runMigrations(pool);
    const jobs: JobQueue = { async enqueueMaterialization() {}, async cancelMaterialization() {} };
    const ctx: Ctx = { actor: { kind: "system", name: "bench" }, db: createDb(pool), online, jobs };
    await seed(ctx, pool);
    const detail = await getFeatureView({ ctx, input: { project: PROJECT, name: VIEW } });
    const columns = viewColumns(detail.spec.fields, detail.entities);
    const window = { start: new Date("2026-01-01T00:00:00Z"), end: new Date("2026-02-01T00:00:00Z") };
    const q = latestPerEntityQuery(detail.source, columns, window);
    // Warm the buffer cache so no side pays for the first read from disk.
    await pool.query("select count(*) from bench_src.driver_stats");

    // Raw write input for Redis, prepared outside the timing.
    const rows: SourceRow[] = [];
    if (raw) for await (const b of readLatestPerEntity(pool, detail.source, columns, window)) rows.push(...b);

    const quiverMs: number[] = [];
    const scanMs: number[] = [];
    const writeMs: number[] = [];
    let written = 0;
    for (let round = 0; round < ROUNDS; round++) {
      await online.deleteView(PROJECT, VIEW);
      const [[run], startMs] = await timed(async () => {
        const [r] = await startMaterialization({
          ctx,
          input: { project: PROJECT, startTs: window.start, endTs: window.end },
        });
        if (!r) throw new Error("no run");
        return [await runMaterialization(ctx, r.id, { batchSize: BATCH })];
      });
      if (run?.status !== "succeeded") throw new Error(`run ended ${run?.status}: ${run?.error}`);
      written = run.rowsWritten;
      quiverMs.push(startMs);
      if (process.env.BENCH_VERBOSE) console.log(`round ${round}: quiver ${startMs.toFixed(0)} ms`);

      const [, s] = await timed(() =>
        pool.query({ text: `select count(*) from (${q.text}) q`, values: q.values }),
      );
      scanMs.push(s);

      if (raw) {
        const keyPrefix = `${prefix}raw:`;
        const [, w] = await timed(async () => {
          for (let i = 0; i < rows.length; i += 1000) {
            const p = raw.pipeline();
            for (const r of rows.slice(i, i + 1000)) {
              const args = [TS_FIELD, tsMicros(r.eventTs)];
              for (const [f, v] of Object.entries(r.values)) args.push(f, JSON.stringify(v));
              p.hset(rowKey(keyPrefix, PROJECT, VIEW, r.entityKey), ...args);
            }
            await p.exec();
          }
        });
        writeMs.push(w);
        await deleteKeys(raw, `${keyPrefix}*`);
      } else {
        await pool.query("delete from online_values where feature_view = 'raw_baseline'");
        const [, w] = await timed(() =>
          pool.query({
            text: `insert into online_values (project, feature_view, entity_key, "values", event_ts)
                   select $3, 'raw_baseline', json_build_array(json_build_array('driver_id', q.driver_id))::text,
                          jsonb_build_object('conv_rate', q.conv_rate, 'trips', q.trips), q.__event_ts
                   from (${q.text}) q
                   on conflict (project, feature_view, entity_key) do update
                     set "values" = excluded."values", event_ts = excluded.event_ts
                     where online_values.event_ts <= excluded.event_ts`,
            values: [...q.values, PROJECT],
          }),
        );
        writeMs.push(w);
      }
    }

    const quiver = median(quiverMs);
    const baseline = median(scanMs) + median(writeMs);
    const rate = (ms: number) => Math.round((written / ms) * 1000).toLocaleString("en-US");
    console.log(
      `materialize: ${ROWS.toLocaleString("en-US")} source rows, ${written.toLocaleString("en-US")} entities, ` +
        `store=${online.kind}, batch=${BATCH}, median of ${ROUNDS}`,
    );
    console.log(
      `  quiver run           ${quiver.toFixed(0).padStart(7)} ms  ${rate(quiver).padStart(10)} rows/s`,
    );
    console.log(`  raw scan (count)     ${median(scanMs).toFixed(0).padStart(7)} ms`);
    console.log(
      `  raw write (${online.kind === "redis" ? "HSET pipeline" : "INSERT..SELECT"}) ${median(writeMs).toFixed(0).padStart(5)} ms`,
    );
    console.log(
      `  raw scan + write     ${baseline.toFixed(0).padStart(7)} ms  ${rate(baseline).padStart(10)} rows/s`,
    );
    console.log(`  ratio quiver / raw   ${(quiver / baseline).toFixed(2)}x`);
  } finally {
    await online.deleteView(PROJECT, VIEW).catch(() => {});
    if (raw) {
      await deleteKeys(raw, `${prefix}*`).catch(() => {});
      raw.disconnect();
    }
    await online.close().catch(() => {});
    await pool.end().catch(() => {});
    await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => {});
    await admin.end().catch(() => {});
    await stopEmbedded?.().catch(() => {});
    if (embeddedDir) fs.rmSync(embeddedDir, { recursive: true, force: true });
  }
}

async function seed(ctx: Ctx, pool: pg.Pool) {
  const entities = Math.floor(ROWS / 2);
  await pool.query(`
    create schema bench_src;
    create table bench_src.driver_stats (
      driver_id bigint not null, conv_rate double precision, trips bigint,
      event_timestamp timestamptz not null, created timestamptz)`);
  // Two rows per driver, both inside the window; the later one is the one materialized.
  await pool.query(
    `insert into bench_src.driver_stats
     select 1000000 + (i % $2), random(), (random() * 1000)::bigint,
            timestamptz '2026-01-01T00:00:00Z' + (i * interval '1 second') / 10, now()
     from generate_series(0, $1 - 1) as i`,
    [ROWS, entities],
  );
  await pool.query("analyze bench_src.driver_stats");
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
      tableName: "bench_src.driver_stats",
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

async function deleteKeys(redis: NonNullable<ReturnType<typeof connectRedis>>, pattern: string) {
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
