/**
 * Stream aggregation throughput (docs/adr/0037) against raw Redis Streams consumption, same run:
 *   REDIS_URL=redis://127.0.0.1:6379 DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:stream
 *
 * One stream of BENCH_EVENTS events (1000 drivers, a fare each) is written first (not timed). Then,
 * alternating, in ROUNDS rounds, each side reads the whole stream through a consumer group of its
 * own in batches of 500:
 *   raw      XREADGROUP + XACK, nothing else (the ceiling of any consumer);
 *   apply    Quiver's consumer: parse, the tile script per event (3 aggregations: count, sum, max
 *            over 5 min and 1 h), XACK;
 *   quiver   the same plus the offline append (one INSERT ... ON CONFLICT DO NOTHING per batch, as
 *            the project's writer role, into a table of a fresh offline database).
 * Each Quiver round uses a view of its own, so no event is a duplicate. Prints events/s (median)
 * and the ratios to raw. Loopback only; removes its keys and drops its database.
 */
import { randomBytes } from "node:crypto";
import os from "node:os";
import { Redis } from "ioredis";
import pg from "pg";
import { createOfflineStore } from "../server/offline/store";
import { StreamConsumer, type StreamConsumerSpec } from "../server/streams/consumer";
import { appendEventsOffline } from "../server/streams/offline-append";
import { createRedisStreamAdapter } from "../server/streams/redis-adapter";
import { loopbackOrExit } from "./lib/app";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 50_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BATCH = 500;
const PROJECT = "bench";

const redisUrl = loopbackOrExit(
  "Redis",
  process.env.REDIS_URL,
  "REDIS_URL=redis://127.0.0.1:6379 npm run bench:stream",
);
const serverUrl = loopbackOrExit(
  "Postgres",
  process.env.DATABASE_URL,
  "DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:stream",
);
const run = randomBytes(4).toString("hex");
const prefix = `bench:stream:${run}:`;
const streamKey = `${prefix}events`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const newClient = () => new Redis(redisUrl, { maxRetriesPerRequest: 1 });

async function fill(redis: Redis) {
  const T0 = Date.now() - 3_600_000;
  for (let start = 0; start < EVENTS; start += 5000) {
    const pipe = redis.pipeline();
    for (let i = start; i < Math.min(EVENTS, start + 5000); i++)
      pipe.xadd(
        streamKey,
        "*",
        "event_id",
        `e${i}`,
        "driver_id",
        String(1000 + (i % 1000)),
        "ts",
        String(T0 + Math.floor((i * 3_600_000) / EVENTS)),
        "fare",
        String(i % 97),
      );
    await pipe.exec();
  }
}

/** Raw: XREADGROUP + XACK until the group has read everything; events/s. */
async function raw(round: number): Promise<number> {
  const client = newClient();
  const group = `raw-${round}`;
  await client.xgroup("CREATE", streamKey, group, "0");
  const t0 = performance.now();
  let n = 0;
  for (;;) {
    const reply = (await client.xreadgroup("GROUP", group, "c", "COUNT", BATCH, "STREAMS", streamKey, ">")) as
      | [string, [string, string[]][]][]
      | null;
    const entries = reply?.[0]?.[1] ?? [];
    if (entries.length === 0) break;
    await client.xack(streamKey, group, ...entries.map(([id]) => id));
    n += entries.length;
  }
  const ms = performance.now() - t0;
  client.disconnect();
  if (n !== EVENTS) throw new Error(`raw read ${n} events, not ${EVENTS}`);
  return (n / ms) * 1000;
}

async function quiver(
  round: number,
  engine: Redis,
  offline: ReturnType<typeof createOfflineStore> | null,
): Promise<number> {
  const view = `v${offline ? "q" : "a"}${round}`;
  const spec: StreamConsumerSpec = {
    project: PROJECT,
    view,
    tileSeconds: 60,
    allowedLatenessSeconds: 7200,
    joinKeys: ["driver_id"],
    timestampField: "ts",
    eventIdField: "event_id",
    aggregations: [
      { name: "trips_1h", column: "", function: "count", windowSeconds: 3600, kind: "sliding" },
      { name: "fare_sum_5m", column: "fare", function: "sum", windowSeconds: 300, kind: "sliding" },
      { name: "fare_max_1h", column: "fare", function: "max", windowSeconds: 3600, kind: "sliding" },
    ],
  };
  const adapter = createRedisStreamAdapter({
    key: streamKey,
    group: `quiver-${view}`,
    consumer: "c",
    client: newClient(),
  });
  await adapter.ensureGroup();
  const target = { project: PROJECT, view, joinKeys: spec.joinKeys };
  const consumer = new StreamConsumer({
    spec,
    adapter,
    redis: engine,
    prefix,
    batchSize: BATCH,
    blockMs: 10,
    sink: offline
      ? async (events) => {
          await appendEventsOffline(offline, target, events);
        }
      : undefined,
  });
  const t0 = performance.now();
  while (consumer.stats.messages < EVENTS) await consumer.step();
  const ms = performance.now() - t0;
  await adapter.close();
  if (consumer.stats.applied !== EVENTS)
    throw new Error(`${view} applied ${consumer.stats.applied}, not ${EVENTS}`);
  return (EVENTS / ms) * 1000;
}

async function main() {
  const engine = newClient();
  const dbName = `quiver_bench_stream_${run}`;
  const server = new pg.Client({ connectionString: serverUrl });
  await server.connect();
  await server.query(`CREATE DATABASE ${dbName}`);
  const u = new URL(serverUrl);
  u.pathname = `/${dbName}`;
  const offline = createOfflineStore({
    adminUrl: u.toString(),
    secret: randomBytes(24).toString("hex"),
    rolePrefix: `qbs_${run}`,
    connectionsPerProject: 2,
    querySources: false,
    timeouts: { probeMs: 60_000, scanMs: 600_000, writeMs: 60_000, lockMs: 10_000 },
    loadSpace: async () => ({ own: [PROJECT], shared: [] }),
  });
  try {
    await offline.provision(PROJECT);
    const info = (await engine.info("server")).match(/redis_version:(\S+)/)?.[1];
    console.log(
      `stream bench: ${fmt(EVENTS)} events, 1000 entities, batches of ${BATCH}, median of ${ROUNDS} rounds; ` +
        `Redis ${info}, node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg()[0]?.toFixed(1)}`,
    );
    await fill(engine);
    const r = { raw: [] as number[], apply: [] as number[], quiver: [] as number[] };
    for (let i = 0; i < ROUNDS; i++) {
      r.raw.push(await raw(i));
      r.apply.push(await quiver(i, engine, null));
      r.quiver.push(await quiver(i, engine, offline));
      console.log(
        `  round ${i + 1}: raw ${fmt(r.raw[i] ?? 0)}/s, apply+ack ${fmt(r.apply[i] ?? 0)}/s, apply+append+ack ${fmt(r.quiver[i] ?? 0)}/s`,
      );
    }
    const [rawM, applyM, quiverM] = [median(r.raw), median(r.apply), median(r.quiver)];
    console.log(`raw XREADGROUP+XACK            ${fmt(rawM).padStart(10)} events/s`);
    console.log(
      `consumer: apply + ack          ${fmt(applyM).padStart(10)} events/s   ratio ${(applyM / rawM).toFixed(3)}`,
    );
    console.log(
      `consumer: apply + append + ack ${fmt(quiverM).padStart(10)} events/s   ratio ${(quiverM / rawM).toFixed(3)}`,
    );
  } finally {
    const keys: string[] = [];
    for await (const batch of engine.scanStream({ match: `${prefix}*`, count: 1000 }) as AsyncIterable<
      string[]
    >)
      keys.push(...batch);
    for (let i = 0; i < keys.length; i += 1000) await engine.unlink(...keys.slice(i, i + 1000));
    engine.disconnect();
    await offline.close();
    await server.query(`DROP DATABASE ${dbName} WITH (FORCE)`);
    // the project's roles are cluster-wide: drop them with the database
    const roles = await server.query<{ rolname: string }>(
      "SELECT rolname FROM pg_roles WHERE rolname LIKE $1",
      [`qbs_${run}%`],
    );
    for (const { rolname } of roles.rows) await server.query(`DROP ROLE IF EXISTS "${rolname}"`);
    await server.end();
  }
}

await main();
