/**
 * On-demand features on the retrieval path, against the same lookup without them, in the same
 * run and process (issue 13, docs/adr/0036-on-demand-features.md):
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379 npm run bench:on-demand
 *
 * Registers a view of 20 float features and an on-demand view of 5 CEL features over it and two
 * request fields, in a database of its own; writes ENTITIES entities into the Redis online store;
 * then calls get-online-features in this process with the serving registry cache (as the feature
 * server does: no database work once warm), one lookup in flight:
 *   - baseline:  1 entity x 20 features;
 *   - on-demand: the same 20 features and the 5 on-demand ones, with request_context.
 * The sides take turns for ROUNDS rounds of ROUND_MS each; each reports its median lookups/s and
 * p50/p99 latency. Target: on-demand costs at most 1.3x the baseline (time per lookup).
 * Loopback only; the database, roles and Redis keys it creates are removed.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { offlineStoreConfig } from "../server/boot/offline-config";
import type { Ctx } from "../server/core/context";
import { rootLogger } from "../server/core/log";
import { createDb, createPool } from "../server/db/client";
import { runMigrations } from "../server/db/migrate";
import { createOfflineStore } from "../server/offline";
import { ensureOfflineDatabase } from "../server/offline/database";
import { quoteIdent } from "../server/offline/source-query";
import { createOnDemandView } from "../server/on-demand/registry";
import { connectRedis, createRedisOnlineStore, entityKey, type OnlineRow } from "../server/online";
import { createDataSource, createEntity, createFeatureView, ensureProject } from "../server/registry";
import { createRegistryCache } from "../server/registry-cache/cache";
import { type GetOnlineFeaturesInput, getOnlineFeatures } from "../server/serving/get-online-features";
import { loopbackOrExit, noJobs } from "./lib/app";

const ENTITIES = 10_000;
const FEATURES = 20;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 1_500);
const WARM_UP_MS = 1_500;
const TARGET = 1.3;
const VIEW = "driver_stats";
const HOW = "DATABASE_URL=postgres://... REDIS_URL=redis://... npm run bench:on-demand";

const features = Array.from({ length: FEATURES }, (_, i) => `f${i}`);
/** Five typical on-demand features: arithmetic with a request field, a distance, a string, a bool. */
const ON_DEMAND = [
  { name: "boosted", dtype: "float64" as const, expression: `${VIEW}.f1 * request.boost` },
  {
    name: "distance_km",
    dtype: "float64" as const,
    expression: `haversine_km(request.lat, request.lon, ${VIEW}.f2, ${VIEW}.f3)`,
  },
  { name: "score", dtype: "float64" as const, expression: `(${VIEW}.f4 + ${VIEW}.f5) / 2.0 - ${VIEW}.f6` },
  { name: "band", dtype: "string" as const, expression: `${VIEW}.f7 > 1000.0 ? "high" : "low"` },
  { name: "eligible", dtype: "bool" as const, expression: `${VIEW}.f8 > 10.0 && request.boost < 3.0` },
];

const ms = () => Number(process.hrtime.bigint()) / 1e6;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? Number.NaN;

async function main() {
  const serverUrl = loopbackOrExit("DATABASE_URL", process.env.DATABASE_URL, HOW);
  const redisUrl = loopbackOrExit("REDIS_URL", process.env.REDIS_URL, HOW);
  const project = `bench_${randomBytes(4).toString("hex")}`;
  const dbName = `quiver_bench_odv_${randomBytes(4).toString("hex")}`;
  const admin = createPool(serverUrl, 1);
  await admin.query(`create database ${dbName}`);
  const u = new URL(serverUrl);
  u.pathname = `/${dbName}`;
  const dbUrl = u.toString();
  const pool = createPool(dbUrl, 4);
  const db = createDb(pool);
  const online = createRedisOnlineStore(connectRedis(redisUrl));
  const offlineUrl = (await ensureOfflineDatabase(dbUrl)).url;
  const offline = createOfflineStore({
    ...offlineStoreConfig(db, offlineUrl),
    secret: randomBytes(24).toString("hex"),
    rolePrefix: `qbo_${randomBytes(4).toString("hex")}`,
  });
  const registry = createRegistryCache({
    db,
    connect: async () => {
      const client = new pg.Client({ connectionString: dbUrl });
      client.on("error", () => {});
      await client.connect();
      return client;
    },
    log: rootLogger(),
  });
  try {
    await runMigrations(pool);
    const base: Ctx = {
      actor: { kind: "local", name: "bench" },
      db,
      online,
      offline,
      jobs: noJobs(),
      log: rootLogger(),
    };
    await seed(base, project, offlineUrl);
    const ctx: Ctx = { ...base, registry };
    const ids = Array.from({ length: ENTITIES }, (_, i) => 1_000_000 + i);
    const plain = features.map((f) => `${VIEW}:${f}`);
    const withOdv = [...plain, ...ON_DEMAND.map((f) => `driver_odv:${f.name}`)];
    const body = (i: number, odv: boolean): GetOnlineFeaturesInput => ({
      project,
      features: odv ? withOdv : plain,
      entities: { driver_id: [ids[(i * 7919) % ENTITIES] ?? 0] },
      ...(odv ? { request_context: { boost: [1.5], lat: [52.5], lon: [13.4] } } : {}),
    });
    const check = await getOnlineFeatures({ ctx, input: body(1, true) });
    if (check.results.length !== 1 + FEATURES + ON_DEMAND.length || check.metadata.reasons)
      throw new Error(`unexpected answer: ${JSON.stringify(check).slice(0, 500)}`);

    const side = async (odv: boolean, forMs: number) => {
      const lat: number[] = [];
      const start = ms();
      let i = 0;
      while (ms() - start < forMs) {
        const t0 = ms();
        await getOnlineFeatures({ ctx, input: body(i++, odv) });
        lat.push(ms() - t0);
      }
      return { perSec: (lat.length * 1000) / (ms() - start), lat };
    };
    await side(false, WARM_UP_MS);
    await side(true, WARM_UP_MS);
    const runs = { baseline: [] as number[], onDemand: [] as number[] };
    const lats = { baseline: [] as number[], onDemand: [] as number[] };
    for (let r = 0; r < ROUNDS; r++) {
      // Turns alternate which side goes first, so drift in the machine falls on both.
      for (const odv of r % 2 === 0 ? [false, true] : [true, false]) {
        const m = await side(odv, ROUND_MS);
        runs[odv ? "onDemand" : "baseline"].push(m.perSec);
        lats[odv ? "onDemand" : "baseline"].push(...m.lat);
      }
    }
    console.log(
      `on-demand: 1 entity x ${FEATURES} features in Redis, +${ON_DEMAND.length} CEL features; in-process get-online-features with the registry cache; median of ${ROUNDS} rounds of ${ROUND_MS} ms in turns`,
    );
    for (const [name, key] of [
      ["baseline (1 x 20)", "baseline"],
      ["on-demand (1 x 20 + 5)", "onDemand"],
    ] as const)
      console.log(
        `  ${name.padEnd(24)} ${median(runs[key]).toFixed(0).padStart(7)} lookups/s   p50 ${pct(lats[key], 0.5).toFixed(3)} ms   p99 ${pct(lats[key], 0.99).toFixed(3)} ms`,
      );
    const ratio = median(runs.baseline) / median(runs.onDemand);
    console.log(
      `  ratio (time per lookup, on-demand / baseline): ${ratio.toFixed(3)}x; target <= ${TARGET}x: ${ratio <= TARGET ? "met" : "NOT met"}`,
    );
  } finally {
    await registry.close().catch(() => {});
    await online.deleteView(project, VIEW).catch(() => {});
    await online.close().catch(() => {});
    const roles = offline.roles(project);
    await offline.close().catch(() => {});
    await pool.end().catch(() => {});
    await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => {});
    await admin.query(`drop database if exists ${dbName}_offline with (force)`).catch(() => {});
    for (const role of [roles.reader, roles.writer])
      await admin.query(`drop role if exists ${quoteIdent(role)}`).catch(() => {});
    await admin.end().catch(() => {});
  }
}

async function seed(ctx: Ctx, project: string, offlineUrl: string): Promise<void> {
  await ctx.offline.provision(project);
  const offlineAdmin = createPool(offlineUrl, 1);
  try {
    await offlineAdmin.query(
      `create table ${quoteIdent(project)}.driver_stats (driver_id bigint not null, ${features
        .map((f) => `${f} double precision`)
        .join(", ")}, event_timestamp timestamptz not null)`,
    );
  } finally {
    await offlineAdmin.end();
  }
  await ensureProject({ ctx, input: { name: project } });
  await createEntity({ ctx, input: { project, name: "driver", joinKey: "driver_id", valueType: "int64" } });
  await createDataSource({
    ctx,
    input: {
      project,
      name: "driver_stats_source",
      kind: "table",
      tableName: `${project}.driver_stats`,
      timestampField: "event_timestamp",
    },
  });
  await createFeatureView({
    ctx,
    input: {
      project,
      spec: {
        name: VIEW,
        entities: ["driver"],
        source: "driver_stats_source",
        ttlSeconds: 0,
        fields: features.map((name) => ({ name, dtype: "float64" as const })),
      },
    },
  });
  await createOnDemandView({
    ctx,
    input: {
      project,
      spec: {
        name: "driver_odv",
        inputs: features.slice(1, 9).map((f) => `${VIEW}:${f}`),
        requestFields: [
          { name: "boost", dtype: "float64" },
          { name: "lat", dtype: "float64" },
          { name: "lon", dtype: "float64" },
        ],
        fields: ON_DEMAND,
      },
    },
  });
  const eventTs = new Date();
  const rows: OnlineRow[] = Array.from({ length: ENTITIES }, (_, i) => ({
    entityKey: entityKey({ driver_id: 1_000_000 + i }),
    eventTs,
    values: Object.fromEntries(features.map((f, j) => [f, (i * (j + 1)) / 7])),
  }));
  for (let i = 0; i < rows.length; i += 1000) await ctx.online.write(project, VIEW, rows.slice(i, i + 1000));
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
