/**
 * Online store read/write cost against raw Redis, measured in the same run:
 *   REDIS_URL=redis://127.0.0.1:6379 npm run bench:online-read
 *
 * Loads ENTITIES entities x FEATURES features of one view through the Redis store, then reads
 * random batches of BATCH keys through store.read() and through a bare ioredis pipeline of the
 * same HMGETs (and redis-benchmark's pipelined HMGET when it is on PATH). Also compares write
 * throughput against a raw pipelined HSET. Loopback only, time-bounded, removes its keys.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { entityKey } from "../server/online/entity-key";
import { whenReady } from "../server/online/redis-client";
import { rowKey, TS_FIELD, tsMicros } from "../server/online/redis-keys";
import { connectRedis, createRedisOnlineStore } from "../server/online/redis-store";
import type { OnlineRow } from "../server/online/types";

const ENTITIES = 10_000;
const FEATURES = 10;
const BATCH = 100;
const WRITE_ROUNDS = 3;
const READ_ROUNDS = 5;
/** Per round and side: whichever of these comes first ends the round. */
const ROUND_MAX_ITERS = 1_000;
const ROUND_MAX_MS = 700;
const CONCURRENCY = 8;
/** Total per side, split over READ_ROUNDS alternating rounds. */
const CONCURRENT_MS = 2_000;
const WRITE_CHUNK = 1000;

const url = process.env.REDIS_URL;
if (!url) {
  console.error("REDIS_URL is required, e.g. REDIS_URL=redis://127.0.0.1:6379 npm run bench:online-read");
  process.exit(2);
}
const parsed = new URL(url);
if (!["127.0.0.1", "localhost", "[::1]", "::1"].includes(parsed.hostname)) {
  console.error(`refusing to benchmark a non-loopback Redis (${parsed.hostname})`);
  process.exit(2);
}

const prefix = `bench:${randomBytes(6).toString("hex")}:`;
const project = "bench";
const view = "driver_stats";
const features = Array.from({ length: FEATURES }, (_, i) => `f${i}`);
const keys = Array.from({ length: ENTITIES }, (_, i) => entityKey({ driver_id: 1_000_000 + i }));
const rawKeys = keys.map((k) => rowKey(`${prefix}raw:`, project, view, k));

const storeClient = connectRedis(url);
const store = createRedisOnlineStore(storeClient, { prefix });
const raw = connectRedis(url);

function rowsAt(round: number): OnlineRow[] {
  const eventTs = new Date(Date.UTC(2026, 0, 1) + round * 1000);
  return keys.map((k, i) => ({
    entityKey: k,
    eventTs,
    values: Object.fromEntries(features.map((f, j) => [f, j % 3 === 0 ? `s${i}_${j}` : (i * j) / 7])),
  }));
}

async function rawWrite(r: Redis, rows: OnlineRow[]) {
  for (let i = 0; i < rows.length; i += WRITE_CHUNK) {
    const p = r.pipeline();
    rows.slice(i, i + WRITE_CHUNK).forEach((row, j) => {
      const args: string[] = [TS_FIELD, tsMicros(row.eventTs)];
      for (const [f, v] of Object.entries(row.values)) args.push(f, JSON.stringify(v));
      p.hset(rawKeys[i + j] ?? "", ...args);
    });
    await p.exec();
  }
}

function stats(lat: number[], elapsedMs: number) {
  const s = [...lat].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? Number.NaN;
  return { n: s.length, opsPerSec: (s.length / elapsedMs) * 1000, p50: q(0.5), p99: q(0.99) };
}

const ms = () => Number(process.hrtime.bigint()) / 1e6;
const batches = Array.from({ length: 512 }, () =>
  Array.from({ length: BATCH }, () => Math.floor(Math.random() * ENTITIES)),
);

const storeRead = (b: number[]) =>
  store.read(
    project,
    [{ featureView: view, features }],
    b.map((i) => keys[i] ?? ""),
  );
const rawRead = async (b: number[]) => {
  const p = raw.pipeline();
  for (const i of b) p.hmget(rawKeys[i] ?? "", TS_FIELD, ...features);
  return p.exec();
};

/** Alternating rounds, one request in flight: latency per batch. */
async function serial(
  side: (b: number[]) => Promise<unknown>,
  lat: number[],
  round: number,
): Promise<number> {
  const start = ms();
  for (let it = 0; it < ROUND_MAX_ITERS && ms() - start < ROUND_MAX_MS; it++) {
    const t = ms();
    await side(batches[(round * ROUND_MAX_ITERS + it) % batches.length] ?? []);
    lat.push(ms() - t);
  }
  return ms() - start;
}

/** CONCURRENCY callers for `durationMs`: throughput when the connection is kept busy. */
async function concurrent(side: (b: number[]) => Promise<unknown>, durationMs: number) {
  let done = 0;
  const start = ms();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, c) => {
      for (let it = c; ms() - start < durationMs; it += CONCURRENCY) {
        await side(batches[it % batches.length] ?? []);
        done++;
      }
    }),
  );
  return { done, elapsed: ms() - start };
}

function redisBenchmark(): { serial: number; hmgetPerSec: number } | null {
  try {
    execFileSync("redis-benchmark", ["--version"], { stdio: "ignore" });
  } catch {
    return null;
  }
  const args = ["-h", parsed.hostname.replace(/^\[|\]$/g, ""), "-p", parsed.port || "6379", "--csv", "-q"];
  if (parsed.password) args.push("-a", decodeURIComponent(parsed.password));
  const run = (clients: number) => {
    const out = execFileSync(
      "redis-benchmark",
      [
        ...args,
        "-c",
        String(clients),
        "-P",
        String(BATCH),
        "-n",
        "200000",
        "hmget",
        rawKeys[0] ?? "",
        TS_FIELD,
        ...features,
      ],
      { encoding: "utf8", timeout: 15_000 },
    );
    // CSV: header line, then "test","rps",...
    // the test name holds the key (quotes, commas), so count the 7 numeric fields from the end
    const fields = (out.trim().split("\n").at(-1) ?? "").split(",");
    return Number(fields.at(-7)?.replaceAll('"', ""));
  };
  return { serial: run(1), hmgetPerSec: run(CONCURRENCY) };
}

async function cleanup() {
  await whenReady(raw, () => undefined);
  await store.deleteView(project, view).catch(() => {});
  for await (const ks of raw.scanStream({ match: `${prefix}*`, count: 1000 }) as AsyncIterable<string[]>)
    if (ks.length > 0) await raw.unlink(...ks);
}

const f1 = (n: number) => n.toFixed(1);
const f3 = (n: number) => n.toFixed(3);

async function main() {
  await store.ping();
  // a fail-fast client refuses commands until connected; the store waits by itself, raw must too
  await whenReady(raw, () => undefined);
  console.log(`online store bench: ${ENTITIES} entities x ${FEATURES} features, batches of ${BATCH} keys`);
  console.log(`redis ${parsed.host}, node ${process.version}\n`);

  // writes: alternate store / raw, each round with newer event times so every row is written
  const w = { store: 0, raw: 0 };
  for (let round = 1; round <= WRITE_ROUNDS; round++) {
    const rows = rowsAt(round);
    let t = ms();
    const res = await store.write(project, view, rows);
    w.store += ms() - t;
    if (res.written !== ENTITIES) throw new Error(`expected ${ENTITIES} rows written, got ${res.written}`);
    t = ms();
    await rawWrite(raw, rows);
    w.raw += ms() - t;
  }
  const storeRows = (WRITE_ROUNDS * ENTITIES * 1000) / w.store;
  const rawRows = (WRITE_ROUNDS * ENTITIES * 1000) / w.raw;
  console.log("write (chunks of 1000 rows per pipeline)");
  console.log(`  store.write (Lua, DEL+HSET)   ${f1(storeRows).padStart(10)} rows/s`);
  console.log(`  raw pipeline HSET             ${f1(rawRows).padStart(10)} rows/s`);
  console.log(`  ratio store/raw               ${f3(storeRows / rawRows).padStart(10)}\n`);

  // sanity: both sides read the same thing
  const check = await storeRead(batches[0] ?? []);
  if (check[0]?.some((r) => r === null)) throw new Error("store read returned missing rows");

  // warm up both paths
  for (let i = 0; i < 50; i++) {
    await storeRead(batches[i] ?? []);
    await rawRead(batches[i] ?? []);
  }

  const lat = { store: [] as number[], raw: [] as number[] };
  const el = { store: 0, raw: 0 };
  for (let round = 0; round < READ_ROUNDS; round++) {
    el.store += await serial(storeRead, lat.store, round);
    el.raw += await serial(rawRead, lat.raw, round);
  }
  const s = stats(lat.store, el.store);
  const r = stats(lat.raw, el.raw);
  console.log(`read, 1 in flight (batches of ${BATCH} keys x ${FEATURES} features, ${s.n}/${r.n} batches)`);
  console.log("                               batches/s    p50 ms    p99 ms");
  console.log(
    `  store.read                   ${f1(s.opsPerSec).padStart(9)} ${f3(s.p50).padStart(9)} ${f3(s.p99).padStart(9)}`,
  );
  console.log(
    `  raw pipeline HMGET           ${f1(r.opsPerSec).padStart(9)} ${f3(r.p50).padStart(9)} ${f3(r.p99).padStart(9)}`,
  );
  console.log(`  ratio store/raw (ops/s)      ${f3(s.opsPerSec / r.opsPerSec).padStart(9)}\n`);

  const conc = { store: { done: 0, elapsed: 0 }, raw: { done: 0, elapsed: 0 } };
  for (let round = 0; round < READ_ROUNDS; round++) {
    for (const [name, side] of [
      ["store", storeRead],
      ["raw", rawRead],
    ] as const) {
      const r = await concurrent(side, CONCURRENT_MS / READ_ROUNDS);
      conc[name].done += r.done;
      conc[name].elapsed += r.elapsed;
    }
  }
  const cs = (conc.store.done / conc.store.elapsed) * 1000;
  const cr = (conc.raw.done / conc.raw.elapsed) * 1000;
  console.log(`read, ${CONCURRENCY} in flight`);
  console.log(`  store.read                   ${f1(cs).padStart(9)} batches/s  (${f1(cs * BATCH)} keys/s)`);
  console.log(`  raw pipeline HMGET           ${f1(cr).padStart(9)} batches/s  (${f1(cr * BATCH)} keys/s)`);
  console.log(`  ratio store/raw              ${f3(cs / cr).padStart(9)}\n`);

  const rb = redisBenchmark();
  if (rb) {
    console.log(`redis-benchmark HMGET, pipeline ${BATCH} (C client, no decoding)`);
    console.log(
      `  1 client                     ${f1(rb.serial / BATCH).padStart(9)} batches/s  (${f1(rb.serial)} HMGET/s)`,
    );
    console.log(
      `  ${CONCURRENCY} clients                    ${f1(rb.hmgetPerSec / BATCH).padStart(9)} batches/s  (${f1(rb.hmgetPerSec)} HMGET/s)`,
    );
    console.log(`  ratio store/redis-benchmark (1 in flight) ${f3(s.opsPerSec / (rb.serial / BATCH))}`);
  } else {
    console.log("redis-benchmark not on PATH: skipped");
  }
}

try {
  await main();
} finally {
  await cleanup();
  await store.close();
  await raw.quit().catch(() => raw.disconnect());
}
