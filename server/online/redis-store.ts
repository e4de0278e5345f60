import "server-only";
import type { Redis, Result } from "ioredis";
import { chunks, latestPerKey } from "./latest-per-key";
import { unreachable, whenReady } from "./redis-client";
import { checkName, checkPrefix, fromMicros, rowKey, TS_FIELD, tsMicros, viewPattern } from "./redis-keys";
import type { OnlineRecord, OnlineRow, OnlineStore, WriteResult } from "./types";

export { connectRedis } from "./redis-client";

/** Rows per pipeline: bounds the memory of one round trip on huge batches. */
const WRITE_CHUNK = 1000;
/** Keys per SCAN step and per UNLINK in deleteView. */
const DELETE_BATCH = 1000;

/**
 * The write rule, atomic because a script runs alone on the server: replace the whole hash (a row
 * replaces every value of that view for that key, so features absent from the new row disappear)
 * only when the new event time is >= the stored one. Returns 1 when written, 0 when refused.
 * ARGV = [tsField, tsMicros, field1, value1, ...]; HSET goes in slices to stay within Lua's
 * unpack() limit on very wide rows.
 */
const SET_IF_NOT_OLDER = `
local stored = redis.call('HGET', KEYS[1], ARGV[1])
if stored and tonumber(stored) > tonumber(ARGV[2]) then return 0 end
redis.call('DEL', KEYS[1])
for i = 1, #ARGV, 1000 do
  redis.call('HSET', KEYS[1], unpack(ARGV, i, math.min(i + 999, #ARGV)))
end
return 1`;

declare module "ioredis" {
  interface RedisCommander<Context> {
    quiverOnlineSet(key: string, ...tsAndFields: string[]): Result<number, Context>;
  }
}

/**
 * The Redis online store: one hash per (project, view, entity key), feature values JSON-encoded
 * so types survive, the event time in the reserved field `_ts`. The store owns the client and
 * quits it on close(). Use connectRedis() to build a client that fails fast.
 */
export function createRedisOnlineStore(redis: Redis, opts: { prefix?: string } = {}): OnlineStore {
  const prefix = opts.prefix ?? "";
  checkPrefix(prefix);
  redis.defineCommand("quiverOnlineSet", { numberOfKeys: 1, lua: SET_IF_NOT_OLDER });
  let lastError: Error | undefined;
  redis.on("error", (e: Error) => {
    lastError = e;
  });
  const ready = () => whenReady(redis, () => lastError);

  return {
    kind: "redis",

    async write(project, featureView, rows): Promise<WriteResult> {
      checkName("project", project);
      checkName("feature view", featureView);
      if (rows.length === 0) return { written: 0, skipped: 0 };
      // encode everything first: a row that cannot be stored fails the call before anything is sent
      const encoded = latestPerKey(rows).map((r) => ({
        key: rowKey(prefix, project, featureView, r.entityKey),
        args: encodeRow(r),
      }));
      await ready();
      let written = 0;
      for (const chunk of chunks(encoded, WRITE_CHUNK)) {
        const p = redis.pipeline();
        for (const { key, args } of chunk) p.quiverOnlineSet(key, ...args);
        for (const r of await execAll(p, "write")) written += r === 1 ? 1 : 0;
      }
      return { written, skipped: rows.length - written };
    },

    async read(project, requests, entityKeys) {
      checkName("project", project);
      for (const r of requests) checkName("feature view", r.featureView);
      if (requests.length === 0 || entityKeys.length === 0) return requests.map(() => []);
      await ready();
      const p = redis.pipeline();
      for (const r of requests)
        for (const k of entityKeys)
          p.hmget(rowKey(prefix, project, r.featureView, k), TS_FIELD, ...r.features);
      const replies = await execAll(p, "read");
      let i = 0;
      return requests.map((r) => entityKeys.map(() => decodeRecord(r.features, replies[i++])));
    },

    async deleteView(project, featureView) {
      checkName("project", project);
      checkName("feature view", featureView);
      await ready();
      const stream = redis.scanStream({
        match: viewPattern(prefix, project, featureView),
        count: DELETE_BATCH,
      });
      for await (const keys of stream as AsyncIterable<string[]>) {
        if (keys.length > 0) await redis.unlink(...keys);
      }
    },

    async ping() {
      await ready();
      try {
        await redis.ping();
      } catch (e) {
        throw unreachable(redis, e);
      }
    },

    async close() {
      if (redis.status === "end") return;
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

function encodeRow(row: OnlineRow): string[] {
  const args = [TS_FIELD, tsMicros(row.eventTs)];
  for (const [name, value] of Object.entries(row.values)) {
    if (name === TS_FIELD) throw new Error(`feature name ${TS_FIELD} is reserved by the Redis online store`);
    // undefined is "absent", as JSON.stringify of the whole row does in the Postgres store
    if (value !== undefined) args.push(name, JSON.stringify(value));
  }
  return args;
}

function decodeRecord(features: string[], reply: unknown): OnlineRecord | null {
  if (!Array.isArray(reply)) return null;
  const [ts, ...raw] = reply as (string | null)[];
  if (ts == null) return null;
  const values: Record<string, unknown> = {};
  features.forEach((f, j) => {
    const v = raw[j];
    if (v != null) values[f] = JSON.parse(v);
  });
  return { values, eventTs: fromMicros(ts) };
}

/** Runs a pipeline and returns its replies, throwing the first command error. */
async function execAll(p: ReturnType<Redis["pipeline"]>, what: string): Promise<unknown[]> {
  const res = (await p.exec()) ?? [];
  return res.map(([err, reply]) => {
    if (err) throw new Error(`Redis online store ${what} failed: ${err.message}`, { cause: err });
    return reply;
  });
}
