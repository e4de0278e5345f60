/**
 * The Redis online store against raw ioredis on the same keys, measured in the same run:
 *   REDIS_URL=redis://127.0.0.1:6379 npm run bench:online-read
 *
 * 1. Encodings (docs/adr/0024): the same rows stored as the legacy hash (JSON per field), as a
 *    JSON array string and as the store's typed binary string; bytes per value from MEMORY USAGE,
 *    and decode cost per value (from replies already in memory, building each record).
 * 2. Writes: store.write (script, newest event time wins) against a raw pipelined SET of the same
 *    encoded rows (1000 per pipeline, each awaited) and the legacy raw HSET.
 * 3. Reads, 1 x FEATURES and BATCH x FEATURES: store.read (MGET once the layout flag is set; GET
 *    per key before a migration) against a raw pipeline of GETs and a raw MGET of the same keys
 *    (no decoding), one request in flight (latency) and CONCURRENCY in flight (throughput).
 * Loopback only, time-bounded, removes its keys.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { entityKey } from "../server/online/entity-key";
import { whenReady } from "../server/online/redis-client";
import { decodeRow, featureList, plan, RowWriter } from "../server/online/redis-codec";
import { layoutKey, rowKey, TS_FIELD, tsMicros } from "../server/online/redis-keys";
import { connectRedis, createRedisOnlineStore } from "../server/online/redis-store";
import type { OnlineRow } from "../server/online/types";

const ENTITIES = Number(process.env.BENCH_ENTITIES ?? 10_000);
const FEATURES = 20;
const BATCH = 100;
const WRITE_ROUNDS = 3;
const ROUNDS = 5;
/** Per round and side: whichever comes first ends the round. */
const ROUND_MAX_ITERS = 2_000;
const ROUND_MAX_MS = 500;
const CONCURRENCY = 8;
const CONCURRENT_MS = 2_000;
const WRITE_CHUNK = 1000;
const MEMORY_SAMPLE = 500;

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

const run = randomBytes(6).toString("hex");
/** The store's keys, with the layout flag set (MGET reads). */
const prefix = `bench:${run}:`;
/** The same rows without the flag (GET per key, as before a migration). */
const prefixGet = `bench:${run}:get:`;
const project = "bench";
const view = "driver_stats";
const features = Array.from({ length: FEATURES }, (_, i) => `f${i}`);
const list = featureList(features);
const keys = Array.from({ length: ENTITIES }, (_, i) => entityKey({ driver_id: 1_000_000 + i }));
const storeKeys = keys.map((k) => rowKey(prefix, project, view, k));
const rawKey = (kind: string, i: number) => rowKey(`${prefix}raw-${kind}:`, project, view, keys[i] ?? "");

const store = createRedisOnlineStore(connectRedis(url, { timeoutMs: 10_000 }), { prefix });
const storeGet = createRedisOnlineStore(connectRedis(url, { timeoutMs: 10_000 }), { prefix: prefixGet });
/** The raw side: plain ioredis, no fail-fast settings, no per-command timers. */
const raw = new Redis(url);

/** A third strings, the rest floats, as feature tables mostly are. */
function rowsAt(round: number): OnlineRow[] {
  const eventTs = new Date(Date.UTC(2026, 0, 1) + round * 1000);
  return keys.map((k, i) => ({
    entityKey: k,
    eventTs,
    values: Object.fromEntries(features.map((f, j) => [f, j % 3 === 0 ? `s${i}_${j}` : (i * j) / 7])),
  }));
}

const ms = () => Number(process.hrtime.bigint()) / 1e6;
const f0 = (n: number) => n.toFixed(0);
const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

async function rawSet(rows: OnlineRow[]) {
  for (let i = 0; i < rows.length; i += WRITE_CHUNK) {
    const p = raw.pipeline();
    const w = new RowWriter();
    rows.slice(i, i + WRITE_CHUNK).forEach((row, j) => {
      p.set(rawKey("set", i + j), w.row(row.eventTs.getTime(), list, row.values));
    });
    await p.exec();
  }
}

async function rawHset(rows: OnlineRow[], kind = "hset") {
  for (let i = 0; i < rows.length; i += WRITE_CHUNK) {
    const p = raw.pipeline();
    rows.slice(i, i + WRITE_CHUNK).forEach((row, j) => {
      const args: string[] = [TS_FIELD, tsMicros(row.eventTs)];
      for (const [f, v] of Object.entries(row.values)) args.push(f, JSON.stringify(v));
      p.hset(rawKey(kind, i + j), ...args);
    });
    await p.exec();
  }
}

async function jsonArraySet(rows: OnlineRow[]) {
  for (let i = 0; i < rows.length; i += WRITE_CHUNK) {
    const p = raw.pipeline();
    rows.slice(i, i + WRITE_CHUNK).forEach((row, j) => {
      p.set(
        rawKey("json", i + j),
        JSON.stringify([row.eventTs.getTime(), list.fp, ...features.map((f) => row.values[f])]),
      );
    });
    await p.exec();
  }
}

async function memoryPerValue(keyOf: (i: number) => string): Promise<number> {
  let total = 0;
  const step = Math.max(1, Math.floor(ENTITIES / MEMORY_SAMPLE));
  let n = 0;
  for (let i = 0; i < ENTITIES; i += step, n++)
    total += Number(await raw.call("MEMORY", "USAGE", keyOf(i), "SAMPLES", "0"));
  return total / n / FEATURES;
}

/** ns per value to turn replies into records, median of a few rounds. */
function decodeCost(decode: () => void, valuesPerCall: number): number {
  const rounds: number[] = [];
  for (let r = 0; r < 9; r++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < 200; i++) decode();
    rounds.push(Number(process.hrtime.bigint() - t) / 200 / valuesPerCall);
  }
  return median(rounds);
}

async function encodings() {
  const sample = Array.from({ length: BATCH }, (_, i) => i * Math.floor(ENTITIES / BATCH));
  const p = raw.pipeline();
  for (const i of sample) p.hmget(rawKey("legacy", i), TS_FIELD, ...features);
  for (const i of sample) p.get(rawKey("json", i));
  for (const i of sample) p.getBuffer(storeKeys[i] ?? "");
  const res = ((await p.exec()) ?? []).map(([, r]) => r);
  const legacy = res.slice(0, BATCH) as (string | null)[][];
  const json = res.slice(BATCH, 2 * BATCH) as string[];
  const bin = res.slice(2 * BATCH) as Buffer[];
  const pl = plan(features, features);
  const out = new Array<unknown>(FEATURES);
  const decoders = {
    "legacy hash, JSON per field": () => {
      for (const r of legacy) {
        const v: Record<string, unknown> = {};
        for (let j = 0; j < FEATURES; j++) {
          const x = r[j + 1];
          if (x != null) v[features[j] as string] = JSON.parse(x);
        }
        void new Date(Number(r[0]) / 1000);
      }
    },
    "JSON array string": () => {
      for (const s of json) {
        const a = JSON.parse(s) as unknown[];
        const v: Record<string, unknown> = {};
        for (let j = 0; j < FEATURES; j++) v[features[j] as string] = a[j + 2];
        void new Date(a[0] as number);
      }
    },
    "typed binary string (kept)": () => {
      for (const b of bin) {
        decodeRow(b, pl, out);
        const v: Record<string, unknown> = {};
        for (let j = 0; j < FEATURES; j++) v[features[j] as string] = out[j];
        void new Date(b.readDoubleLE(1));
      }
    },
  };
  const bytes = {
    "legacy hash, JSON per field": await memoryPerValue((i) => rawKey("legacy", i)),
    "JSON array string": await memoryPerValue((i) => rawKey("json", i)),
    "typed binary string (kept)": await memoryPerValue((i) => storeKeys[i] ?? ""),
  };
  const keyOnly = await memoryPerValue((i) => rawKey("empty", i));
  console.log(
    `encodings (${FEATURES} features: a third short strings, the rest floats; MEMORY USAGE of ${MEMORY_SAMPLE} keys)`,
  );
  console.log("                                 bytes/value  without key  decode ns/value");
  for (const [name, decode] of Object.entries(decoders)) {
    const b = bytes[name as keyof typeof bytes];
    console.log(
      `  ${name.padEnd(30)} ${f1(b).padStart(11)} ${f1(b - keyOnly).padStart(12)} ${f1(decodeCost(decode, BATCH * FEATURES)).padStart(16)}`,
    );
  }
  console.log(`  (a key holding 1 byte: ${f1(keyOnly * FEATURES)} bytes, the per-row floor)\n`);
}

/** Alternating rounds, one request in flight: batches/s and latency. */
async function serial(sides: Record<string, (b: number[]) => Promise<unknown>>, batches: number[][]) {
  const lat: Record<string, number[]> = {};
  const el: Record<string, number> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, side] of Object.entries(sides)) {
      const start = ms();
      for (let it = 0; it < ROUND_MAX_ITERS && ms() - start < ROUND_MAX_MS; it++) {
        const t = ms();
        await side(batches[(round * ROUND_MAX_ITERS + it) % batches.length] ?? []);
        lat[name] ??= [];
        lat[name].push(ms() - t);
      }
      el[name] = (el[name] ?? 0) + ms() - start;
    }
  }
  return Object.fromEntries(
    Object.entries(lat).map(([name, l]) => {
      const s = [...l].sort((a, b) => a - b);
      const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? Number.NaN;
      return [name, { perSec: (s.length / (el[name] ?? 1)) * 1000, p50: q(0.5), p99: q(0.99) }];
    }),
  );
}

/** CONCURRENCY callers per side, alternating rounds: requests/s when the connection is kept busy. */
async function concurrent(sides: Record<string, (b: number[]) => Promise<unknown>>, batches: number[][]) {
  const done: Record<string, number> = {};
  const el: Record<string, number> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, side] of Object.entries(sides)) {
      const start = ms();
      let n = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async (_, c) => {
          for (let it = c; ms() - start < CONCURRENT_MS / ROUNDS; it += CONCURRENCY) {
            await side(batches[it % batches.length] ?? []);
            n++;
          }
        }),
      );
      done[name] = (done[name] ?? 0) + n;
      el[name] = (el[name] ?? 0) + ms() - start;
    }
  }
  return Object.fromEntries(Object.entries(done).map(([name, n]) => [name, (n / (el[name] ?? 1)) * 1000]));
}

async function reads(size: number) {
  const batches = Array.from({ length: 512 }, () =>
    Array.from({ length: size }, () => Math.floor(Math.random() * ENTITIES)),
  );
  const req = [{ featureView: view, features }];
  const sides: Record<string, (b: number[]) => Promise<unknown>> = {
    "store.read (MGET)": (b) =>
      store.read(
        project,
        req,
        b.map((i) => keys[i] ?? ""),
      ),
    "store.read (GET per key)": (b) =>
      storeGet.read(
        project,
        req,
        b.map((i) => keys[i] ?? ""),
      ),
    "raw pipeline GET": (b) => {
      const p = raw.pipeline();
      for (const i of b) p.getBuffer(storeKeys[i] ?? "");
      return p.exec();
    },
    "raw MGET": (b) => raw.mgetBuffer(b.map((i) => storeKeys[i] ?? "")),
  };
  // sanity: every side finds the rows
  const check = (await store.read(project, req, [keys[0] ?? ""]))[0]?.[0];
  if (!check || Object.keys(check.values).length !== FEATURES) throw new Error("store read found no row");
  for (const side of Object.values(sides)) for (let i = 0; i < 30; i++) await side(batches[i] ?? []);

  const s = await serial(sides, batches);
  const c = await concurrent(sides, batches);
  const base = "raw pipeline GET";
  console.log(`read ${size} x ${FEATURES} (entities x features per request)`);
  console.log(
    "                               1 in flight: req/s   p50 ms   p99 ms  ratio   |  8 in flight: entities/s  ratio",
  );
  for (const name of Object.keys(sides)) {
    const r = s[name];
    const cc = c[name] ?? 0;
    if (!r) continue;
    console.log(
      `  ${name.padEnd(26)} ${f0(r.perSec).padStart(12)} ${f2(r.p50).padStart(8)} ${f2(r.p99).padStart(8)} ${f2(r.perSec / (s[base]?.perSec ?? 1)).padStart(6)}   | ${f0(cc * size).padStart(22)} ${f2(cc / (c[base] ?? 1)).padStart(6)}`,
    );
  }
  console.log(`  (ratios against ${base})\n`);
}

async function cleanup() {
  await whenReady(raw, () => undefined).catch(() => {});
  for (const pattern of [`bench:${run}:*`])
    for await (const ks of raw.scanStream({ match: pattern, count: 1000 }) as AsyncIterable<string[]>)
      if (ks.length > 0) await raw.unlink(...ks);
}

async function main() {
  await raw.set(layoutKey(prefix), "2");
  await store.ping();
  await storeGet.ping();
  console.log(`online store bench: ${ENTITIES} entities x ${FEATURES} features`);
  console.log(`redis ${parsed.host}, node ${process.version}\n`);

  // writes: alternate store / raw SET / raw HSET, each round with newer event times
  const w: Record<string, number[]> = {};
  for (let round = 1; round <= WRITE_ROUNDS; round++) {
    const rows = rowsAt(round);
    const time = async (name: string, fn: () => Promise<unknown>) => {
      const t = ms();
      await fn();
      w[name] ??= [];
      w[name].push(ms() - t);
    };
    await time("store.write (script, 100 rows a call)", async () => {
      const res = await store.write(project, view, rows);
      if (res.written !== ENTITIES) throw new Error(`expected ${ENTITIES} rows written, got ${res.written}`);
    });
    await time("raw pipeline SET (same bytes)", () => rawSet(rows));
    await time("raw pipeline HSET (legacy JSON)", () => rawHset(rows));
  }
  const rate = (name: string) => (ENTITIES / median(w[name] ?? [])) * 1000;
  console.log(`write, ${ENTITIES} rows a call, ${WRITE_CHUNK} rows per pipeline (median of ${WRITE_ROUNDS})`);
  for (const name of Object.keys(w))
    console.log(
      `  ${name.padEnd(38)} ${f0(rate(name)).padStart(9)} rows/s  ratio to raw SET ${f2(rate(name) / rate("raw pipeline SET (same bytes)"))}`,
    );
  console.log("");

  // the other layouts, for the encoding comparison, and the GET-per-key store's copy
  const rows = rowsAt(WRITE_ROUNDS);
  await rawHset(rows, "legacy");
  await jsonArraySet(rows);
  await storeGet.write(project, view, rows);
  for (let i = 0; i < ENTITIES; i += WRITE_CHUNK) {
    const p = raw.pipeline();
    for (let j = i; j < Math.min(ENTITIES, i + WRITE_CHUNK); j++) p.set(rawKey("empty", j), "x");
    await p.exec();
  }
  await encodings();

  await reads(1);
  await reads(BATCH);
}

try {
  await main();
} finally {
  await cleanup();
  await store.close();
  await storeGet.close();
  raw.disconnect();
}
