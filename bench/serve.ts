/**
 * Online serving against raw Redis, measured in the same run (issue 8, docs/adr/0023):
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379 npm run bench:serve
 *
 * Registers one view of FEATURES float features in a database of its own, writes ENTITIES entities
 * into the Redis online store, creates a consumer API key, then for each lookup shape (1 x 20 and
 * 100 x 20 entities x features) measures:
 *   - raw HTTP:   the baseline of the targets: bench/lib/raw-http-server.ts, a node:http server with
 *                 the feature server's worker count that answers each lookup with a pipeline of
 *                 one GET per entity (the issue's "raw pipelined ioredis reader") and the bytes as
 *                 they came (no auth, registry, decoding or limits), under the same load generator;
 *   - raw MGET:   the same server reading with one MGET, the command Quiver's reader sends: for
 *                 reference, as it is faster than the pipeline at 100 entities;
 *                 BENCH_RAW_AUTOPIPELINING=1 gives both raw servers ioredis auto-pipelining, which
 *                 Quiver's client has (concurrent requests' commands share a socket write);
 *   - in-process: the pipelined reader in this process with no HTTP at all: Redis's own speed to
 *                 a Node client, for reference;
 *   - server:     `quiver serve --workers W` (node:http, no Next.js), loaded with autocannon;
 *   - app:        the Next.js app's POST /api/v1/get-online-features (`quiver start`), unless BENCH_APP=0.
 * Each reports entities/s at saturation (BENCH_CONNECTIONS concurrent requests for BENCH_SECONDS),
 * the median of BENCH_ROUNDS runs taken in turns with the other sides, then p50/p99 at a fixed
 * rate of half the feature server's saturation (the median run by p99; the same offered load for
 * the raw sides and the server; the app at half its own). Targets, against raw HTTP: server
 * >= 0.5 of its entities/s at 1 x 20, >= 0.7 at 100 x 20; server p99 at half load <= 3x its p99.
 * Loopback only; everything it creates (database, roles, Redis keys, processes) is removed.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Redis } from "ioredis";
import { createApiKey } from "../server/auth/api-keys";
import { offlineStoreConfig } from "../server/boot/offline-config";
import type { Ctx } from "../server/core/context";
import { rootLogger } from "../server/core/log";
import { createDb, createPool } from "../server/db/client";
import { runMigrations } from "../server/db/migrate";
import { createOfflineStore } from "../server/offline";
import { ensureOfflineDatabase } from "../server/offline/database";
import { quoteIdent } from "../server/offline/source-query";
import { connectRedis, createRedisOnlineStore, entityKey, type OnlineRow } from "../server/online";
import { rowKey } from "../server/online/redis-keys";
import { createDataSource, createEntity, createFeatureView, ensureProject } from "../server/registry";
import { exited, healthy, loopbackOrExit, noJobs, ROOT, start } from "./lib/app";

const ENTITIES = 10_000;
const FEATURES = 20;
/** BENCH_SHAPES=1 (or 100): one lookup shape only. */
const SHAPES = (process.env.BENCH_SHAPES ?? "1,100").split(",").map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
/** Runs per measurement, taken in turns; the median is reported (BENCH_ROUNDS). */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const WORKERS = Number(process.env.BENCH_WORKERS ?? os.availableParallelism());
const WITH_APP = process.env.BENCH_APP !== "0";
const BODIES = 2_000;
const WARM_UP_SECONDS = 3;
const VIEW = "driver_stats";
const HOW = "DATABASE_URL=postgres://... REDIS_URL=redis://... npm run bench:serve";

interface Measured {
  entitiesPerSec: number;
  p50: number;
  p99: number;
  errors: number;
}

const features = Array.from({ length: FEATURES }, (_, i) => `f${i}`);
const driverIds = Array.from({ length: ENTITIES }, (_, i) => 1_000_000 + i);

/** Random entity batches, drawn once so no side pays for drawing them. */
function batches(size: number): number[][] {
  return Array.from({ length: BODIES }, () =>
    Array.from({ length: size }, () => driverIds[Math.floor(Math.random() * ENTITIES)] ?? 0),
  );
}

async function main() {
  const serverUrl = loopbackOrExit("DATABASE_URL", process.env.DATABASE_URL, HOW);
  const redisUrl = loopbackOrExit("REDIS_URL", process.env.REDIS_URL, HOW);
  const project = `bench_${randomBytes(4).toString("hex")}`;
  const dbName = `quiver_bench_serve_${randomBytes(4).toString("hex")}`;
  const admin = createPool(serverUrl, 1);
  await admin.query(`create database ${dbName}`);
  const u = new URL(serverUrl);
  u.pathname = `/${dbName}`;
  const dbUrl = u.toString();
  const pool = createPool(dbUrl, 4);
  const db = createDb(pool);
  const redis = connectRedis(redisUrl);
  const online = createRedisOnlineStore(connectRedis(redisUrl));
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "quiver-bench-serve-"));
  const children: ChildProcess[] = [];
  const rolePrefix = `qbs_${randomBytes(4).toString("hex")}`;
  const offlineUrl = (await ensureOfflineDatabase(dbUrl)).url;
  const offline = createOfflineStore({
    ...offlineStoreConfig(db, offlineUrl),
    secret: randomBytes(24).toString("hex"),
    rolePrefix,
  });
  try {
    await runMigrations(pool);
    const ctx: Ctx = {
      actor: { kind: "local", name: "bench" },
      db,
      online,
      offline,
      jobs: noJobs(),
      log: rootLogger(),
    };
    const key = await seed(ctx, project, offlineUrl);
    const env = {
      ...process.env,
      DATABASE_URL: dbUrl,
      REDIS_URL: redisUrl,
      QUIVER_HOME: home,
      QUIVER_DEFAULT_PROJECT: project,
      QUIVER_API_KEY_RATE: "10000000",
      QUIVER_API_KEY_BURST: "10000000",
      QUIVER_LOG_LEVEL: "warn",
      NODE_ENV: "production" as const,
    };
    const serverPort = 16566;
    // BENCH_PROFILE=DIR: the feature server writes a CPU profile there on exit (--workers 1 only).
    const profile = process.env.BENCH_PROFILE;
    const nodeFlags = profile ? ["--cpu-prof", `--cpu-prof-dir=${profile}`] : [];
    children.push(
      start(["serve", "--port", String(serverPort), "--workers", String(WORKERS)], env, nodeFlags),
    );
    await healthy(serverPort, 120_000);
    const rawPort = 16568;
    const mgetPort = 16569;
    const raw = {
      workers: WORKERS,
      redisUrl,
      project,
      view: VIEW,
      joinKey: "driver_id",
      autoPipelining: process.env.BENCH_RAW_AUTOPIPELINING === "1",
    };
    const rawServers = [
      startRawServer({ ...raw, port: rawPort, command: "pipeline" }),
      startRawServer({ ...raw, port: mgetPort, command: "mget" }),
    ];
    children.push(...rawServers.map((r) => r.child));
    await Promise.all(rawServers.map((r) => r.ready));
    let appPort: number | undefined;
    if (WITH_APP) {
      appPort = 16567;
      children.push(start(["start", "--port", String(appPort)], env));
      await healthy(appPort, 600_000);
    }

    const health = await (await fetch(`http://127.0.0.1:${serverPort}/api/v1/health`)).json();
    console.log(`feature server health: ${JSON.stringify(health)}`);
    console.log(
      `serve: ${ENTITIES.toLocaleString("en-US")} entities x ${FEATURES} features in Redis, ` +
        `${CONNECTIONS} connections, ${SECONDS} s per run, median of ${ROUNDS} in turns, feature server --workers ${WORKERS}, ` +
        `${os.availableParallelism()} cores`,
    );
    if (process.env.BENCH_HOLD) {
      // Keeps the servers up for probing by hand until Ctrl-C.
      console.log(`holding: feature server on ${serverPort}, project ${project}, key ${key}`);
      await new Promise((resolve) => process.once("SIGINT", resolve));
      return;
    }
    for (const size of SHAPES) {
      const draws = batches(size);
      const bodies = draws.map((ids) =>
        JSON.stringify({
          project,
          features: features.map((f) => `${VIEW}:${f}`),
          entities: { driver_id: ids },
        }),
      );
      await checkAnswer(serverPort, key, bodies[0] ?? "", size);
      const bodiesFile = path.join(home, `bodies-${size}.json`);
      fs.writeFileSync(bodiesFile, JSON.stringify(bodies));
      const rawKeys = draws.map((ids) =>
        ids.map((id) => rowKey("", project, VIEW, entityKey({ driver_id: id }))),
      );
      const read = await rawReader(redis, rawKeys[0]?.[0] ?? "");

      // The sides take turns, ROUNDS times, and each keeps its median run: a busy neighbour
      // slows one run, not one side.
      const sides = [
        {
          sat: () => inProcessSaturation(read, rawKeys, size),
          fixed: (r: number) => inProcessFixedRate(read, rawKeys, r),
        },
        {
          sat: () => httpSaturation(rawPort, key, bodiesFile, size),
          fixed: (r: number) => httpFixedRate(rawPort, key, bodiesFile, r),
        },
        {
          sat: () => httpSaturation(mgetPort, key, bodiesFile, size),
          fixed: (r: number) => httpFixedRate(mgetPort, key, bodiesFile, r),
        },
        {
          sat: () => httpSaturation(serverPort, key, bodiesFile, size),
          fixed: (r: number) => httpFixedRate(serverPort, key, bodiesFile, r),
        },
      ];
      const [inProcessSat, rawSat, mgetSat, serverSat] = await inTurns(
        sides.map((side) => side.sat),
        (m) => m.entitiesPerSec,
      );
      if (!inProcessSat || !rawSat || !mgetSat || !serverSat) throw new Error("a side measured nothing");
      const rate = Math.max(1, Math.round(serverSat.entitiesPerSec / size / 2));
      const [inProcessFixed, rawFixed, mgetFixed, serverFixed] = await inTurns(
        sides.map((side) => () => side.fixed(rate)),
        (m) => m.p99,
      );
      if (!inProcessFixed || !rawFixed || !mgetFixed || !serverFixed)
        throw new Error("a side measured nothing");
      let app: { sat: Measured; fixed: Measured; rate: number } | undefined;
      if (appPort !== undefined) {
        const sat = await httpSaturation(appPort, key, bodiesFile, size);
        const appRate = Math.max(1, Math.round(sat.entitiesPerSec / size / 2));
        app = { sat, fixed: await httpFixedRate(appPort, key, bodiesFile, appRate), rate: appRate };
      }

      const n = (x: number) => Math.round(x).toLocaleString("en-US").padStart(10);
      const ms = (x: number) => `${x.toFixed(2).padStart(7)} ms`;
      const ratio = (x: number) => x.toFixed(2).padStart(6);
      console.log(`\n${size} entit${size === 1 ? "y" : "ies"} x ${FEATURES} features`);
      console.log(
        "                 entities/s  vs raw HTTP  vs in-process  fixed rate      p50         p99   p99/raw HTTP  errors",
      );
      const line = (name: string, sat: Measured, fixed: Measured, r: number) =>
        console.log(
          `  ${name.padEnd(14)}${n(sat.entitiesPerSec)}  ${ratio(sat.entitiesPerSec / rawSat.entitiesPerSec)}       ` +
            `${ratio(sat.entitiesPerSec / inProcessSat.entitiesPerSec)}      ${String(r).padStart(7)}/s  ` +
            `${ms(fixed.p50)}  ${ms(fixed.p99)}  ${ratio(fixed.p99 / rawFixed.p99)}        ${sat.errors + fixed.errors}`,
        );
      line("in-process", inProcessSat, inProcessFixed, rate);
      line("raw HTTP", rawSat, rawFixed, rate);
      line("raw MGET", mgetSat, mgetFixed, rate);
      line("feature server", serverSat, serverFixed, rate);
      if (app) line("app route", app.sat, app.fixed, app.rate);
      const target = size === 1 ? 0.5 : 0.7;
      const r = serverSat.entitiesPerSec / rawSat.entitiesPerSec;
      const p99x = serverFixed.p99 / rawFixed.p99;
      console.log(
        `  target: server >= ${target} of raw HTTP entities/s: ${r >= target ? "met" : "NOT met"} (${r.toFixed(2)}); ` +
          `p99 at half load <= 3x raw HTTP: ${p99x <= 3 ? "met" : "NOT met"} (${p99x.toFixed(2)}x)`,
      );
    }
  } finally {
    for (const c of children) c.kill("SIGTERM");
    await Promise.all(children.map((c) => exited(c, 20_000)));
    await online.deleteView(project, VIEW).catch(() => {});
    await online.close().catch(() => {});
    redis.disconnect();
    const roles = offline.roles(project);
    await offline.close().catch(() => {});
    await pool.end().catch(() => {});
    await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => {});
    await admin.query(`drop database if exists ${dbName}_offline with (force)`).catch(() => {});
    for (const role of [roles.reader, roles.writer])
      await admin.query(`drop role if exists ${quoteIdent(role)}`).catch(() => {});
    await admin.end().catch(() => {});
    fs.rmSync(home, { recursive: true, force: true });
  }
}

/** The project, a source table with the columns, the view, its values in Redis, a consumer key. */
async function seed(ctx: Ctx, project: string, offlineUrl: string): Promise<string> {
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
  const eventTs = new Date();
  const rows: OnlineRow[] = driverIds.map((id) => ({
    entityKey: entityKey({ driver_id: id }),
    eventTs,
    values: Object.fromEntries(features.map((f, j) => [f, ((id * 31 + j) % 1000) / 997])),
  }));
  await ctx.online.write(project, VIEW, rows);
  const { key } = await createApiKey({ ctx, input: { project, name: "bench", role: "consumer" } });
  return key;
}

/** The raw HTTP baseline (bench/lib/raw-http-server.ts), ready once every worker listens. */
function startRawServer(args: Record<string, unknown>): { child: ChildProcess; ready: Promise<void> } {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "--import",
      path.join(ROOT, "bin/hooks/register-server-only.mjs"),
      path.join(ROOT, "bench/lib/raw-http-server.ts"),
      JSON.stringify(args),
    ],
    { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] },
  );
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (c: Buffer) => {
      if (c.toString().includes("ready")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`the raw HTTP server exited ${code}`)));
  });
  return { child, ready };
}

/** One real answer, checked: every value present, before anything is timed. */
async function checkAnswer(port: number, key: string, body: string, size: number): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/get-online-features`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body,
  });
  const json = (await res.json()) as { results?: { statuses: string[] }[] };
  const statuses = json.results?.slice(1).flatMap((r) => r.statuses) ?? [];
  if (res.status !== 200 || statuses.length !== size * FEATURES || statuses.some((s) => s !== "PRESENT"))
    throw new Error(
      `the feature server's answer is wrong: ${res.status} ${JSON.stringify(json).slice(0, 300)}`,
    );
}

type Read = (keys: string[]) => Promise<unknown>;

/** The pipelined read of the layout the keys are in: a GET per packed row, an HMGET per hash. */
async function rawReader(redis: Redis, sample: string): Promise<Read> {
  const type = await redis.type(sample);
  if (type === "string")
    return async (keys) => {
      const p = redis.pipeline();
      for (const k of keys) p.getBuffer(k);
      return p.exec();
    };
  if (type === "hash")
    return async (keys) => {
      const p = redis.pipeline();
      for (const k of keys) p.hmget(k, "_ts", ...features);
      return p.exec();
    };
  throw new Error(`unexpected Redis type ${type} of ${sample}`);
}

async function inProcessSaturation(read: Read, keySets: string[][], size: number): Promise<Measured> {
  for (let i = 0; i < 2000; i++) await read(keySets[i % keySets.length] ?? []);
  const latencies: number[] = [];
  const end = Date.now() + SECONDS * 1000;
  let i = 0;
  let done = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (Date.now() < end) {
        const t = performance.now();
        await read(keySets[i++ % keySets.length] ?? []);
        latencies.push(performance.now() - t);
        done++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { entitiesPerSec: (done * size) / elapsed, ...percentiles(latencies), errors: 0 };
}

/** Open loop: requests start on schedule whether or not earlier ones have answered. */
async function inProcessFixedRate(read: Read, keySets: string[][], rate: number): Promise<Measured> {
  const latencies: number[] = [];
  const total = Math.max(1, Math.round(rate * SECONDS));
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const t = performance.now();
    pending.push(
      read(keySets[i % keySets.length] ?? []).then(() => {
        latencies.push(performance.now() - t);
      }),
    );
  }
  await Promise.all(pending);
  return { entitiesPerSec: 0, ...percentiles(latencies), errors: 0 };
}

/** Runs the load generator (bench/lib/load.ts) in a process of its own and returns what it measured. */
async function load(
  port: number,
  key: string,
  bodiesFile: string,
  rate: number,
  seconds = SECONDS,
): Promise<{ requestsPerSec: number; p50: number; p99: number; errors: number }> {
  const args = JSON.stringify({
    url: `http://127.0.0.1:${port}/api/v1/get-online-features`,
    key,
    bodies: bodiesFile,
    connections: CONNECTIONS,
    seconds,
    rate,
  });
  const child = spawn(
    process.execPath,
    [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), path.join(ROOT, "bench/lib/load.ts"), args],
    {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let out = "";
  child.stdout?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`the load generator exited ${code}`);
  return JSON.parse(out.trim().split("\n").pop() ?? "{}");
}

/**
 * Runs each measurement ROUNDS times, taking turns, and returns each one's median run by `by`
 * (the run itself, so its other figures stay together).
 */
async function inTurns(
  measure: (() => Promise<Measured>)[],
  by: (m: Measured) => number,
): Promise<Measured[]> {
  const runs: Measured[][] = measure.map(() => []);
  for (let round = 0; round < ROUNDS; round++)
    for (const [i, m] of measure.entries()) runs[i]?.push(await m());
  return runs.map((r) => [...r].sort((a, b) => by(a) - by(b))[Math.floor(r.length / 2)] as Measured);
}

/** Ports already warmed up (JIT, connections, caches) by a run measured nowhere. */
const warmed = new Set<number>();

async function httpSaturation(
  port: number,
  key: string,
  bodiesFile: string,
  size: number,
): Promise<Measured> {
  if (!warmed.has(port)) {
    await load(port, key, bodiesFile, 0, WARM_UP_SECONDS);
    warmed.add(port);
  }
  const r = await load(port, key, bodiesFile, 0);
  return { entitiesPerSec: r.requestsPerSec * size, p50: r.p50, p99: r.p99, errors: r.errors };
}

async function httpFixedRate(port: number, key: string, bodiesFile: string, rate: number): Promise<Measured> {
  const r = await load(port, key, bodiesFile, rate);
  return { entitiesPerSec: 0, p50: r.p50, p99: r.p99, errors: r.errors };
}

function percentiles(lat: number[]): { p50: number; p99: number } {
  const s = [...lat].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? Number.NaN;
  return { p50: q(0.5), p99: q(0.99) };
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
