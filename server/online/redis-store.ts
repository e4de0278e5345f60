import "server-only";
import type { ChainableCommander, Result } from "ioredis";
import { UnavailableError } from "../core/errors";
import { chunks, latestPerKey } from "./latest-per-key";
import {
  closeRedis,
  isCluster,
  masters,
  type RedisClient,
  redisAddress,
  redisTimeoutOf,
  unreachable,
  whenReady,
} from "./redis-client";
import { groupByNode } from "./redis-cluster";
import {
  ABSENT,
  decodeRow,
  type FeatureList,
  FORMAT,
  featureList,
  fpHex,
  HEADER_BYTES,
  type Plan,
  plan,
  RowWriter,
} from "./redis-codec";
import {
  checkName,
  checkPrefix,
  featureListKey,
  fromMicros,
  layoutKey,
  rowKey,
  TS_FIELD,
  viewPattern,
} from "./redis-keys";
import type { OnlineRecord, OnlineStore, ReadRequest, WriteResult } from "./types";

export { connectRedis, connectRedisCluster } from "./redis-client";

/** Rows per pipeline: bounds the memory of one round trip on huge batches. */
const WRITE_CHUNK = 1000;
/** Pipelines sent before the oldest is awaited: encoding, the network and Redis overlap. */
const WRITE_IN_FLIGHT = 4;
/** Rows per write-script call on a single Redis (a cluster takes one key per call: slots differ). */
const KEYS_PER_CALL = 100;
/** Keys per MGET; one pipeline carries them all. */
const MGET_KEYS = 5000;
/** Keys per SCAN step and per UNLINK in deleteView. */
const DELETE_BATCH = 1000;

/**
 * The write rule, atomic because a script runs alone on the server, for many rows at once:
 * KEYS are row keys, ARGV their encoded rows (redis-codec.ts: byte 2-9 the event time in ms, a
 * double). A row replaces the stored value only when its event time is >= the stored one's; the
 * value is the whole row, so features absent from it disappear. A key still in the legacy hash
 * layout (GETRANGE refuses it with WRONGTYPE) is compared by its `_ts` field (µs) and replaced by
 * the string, atomically. Returns how many rows were written.
 */
const SET_ROWS_IF_NOT_OLDER = `
local n = 0
for i = 1, #KEYS do
  local row = ARGV[i]
  local t = struct.unpack('<d', row, 2)
  local cur = redis.pcall('GETRANGE', KEYS[i], 1, 8)
  local newer = false
  if type(cur) == 'table' then
    if not string.find(cur.err, 'WRONGTYPE', 1, true) then return cur end
    local s = redis.call('HGET', KEYS[i], '${TS_FIELD}')
    newer = s ~= false and tonumber(s) > t * 1000
  elseif #cur == 8 then
    newer = struct.unpack('<d', cur) > t
  end
  if not newer then
    redis.call('SET', KEYS[i], row)
    n = n + 1
  end
end
return n`;

/**
 * Sets the layout flag (no legacy rows under the prefix) when it is there already or Redis holds
 * no key at all, atomically; returns 1 when the flag is set.
 */
const MARK_LAYOUT_IF_EMPTY = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 1 end
if redis.call('DBSIZE') == 0 then
  redis.call('SET', KEYS[1], '2')
  return 1
end
return 0`;

declare module "ioredis" {
  interface RedisCommander<Context> {
    quiverOnlineSetRows(numKeys: number, ...keysThenRows: (string | Buffer)[]): Result<number, Context>;
    quiverOnlineMarkLayout(key: string): Result<number, Context>;
  }
}

export interface RedisOnlineStoreOptions {
  /** Prepended to every key (several deployments or tests on one Redis). */
  prefix?: string;
}

/**
 * The Redis online store (single Redis or Redis Cluster): one string per (project, view, entity
 * key) in the encoding of redis-codec.ts, written by a script that keeps the newest event time;
 * rows still in the legacy hash layout are read and replaced transparently (migrate them with
 * migrateLegacyOnlineRows). The store owns the client and quits it on close(). Use connectRedis()
 * or connectRedisCluster() to build a client that fails fast.
 */
export function createRedisOnlineStore(client: RedisClient, opts: RedisOnlineStoreOptions = {}): OnlineStore {
  const prefix = opts.prefix ?? "";
  checkPrefix(prefix);
  const cluster = isCluster(client);
  const timeoutMs = redisTimeoutOf(client);
  client.defineCommand("quiverOnlineSetRows", { lua: SET_ROWS_IF_NOT_OLDER });
  client.defineCommand("quiverOnlineMarkLayout", { numberOfKeys: 1, lua: MARK_LAYOUT_IF_EMPTY });
  let lastError: Error | undefined;
  client.on("error", (e: Error) => {
    lastError = e;
  });

  /** Feature lists' names by fingerprint (content-addressed: an entry never changes). */
  const names = new Map<number, readonly string[]>();
  /** Fingerprints whose names are known to be stored in Redis by this process. */
  const registered = new Set<number>();
  /** Decoding plans by fingerprint and requested features. */
  const plans = new Map<number, Map<string, Plan>>();
  /** True once no legacy row can exist under the prefix: reads are MGETs. */
  let legacyFree = false;
  let layoutChecked: Promise<void> | undefined;
  /** A cluster learns the flag again at most this often while it is unset (a single Redis: every read). */
  let layoutCheckedAt = Date.now();

  let layoutKnown = false;
  const ready = async () => {
    if (client.status !== "ready") await whenReady(client, () => lastError);
    if (layoutKnown) return;
    // once per store: learn (or set, on an empty Redis) the layout flag; a failure is retried later
    layoutChecked ??= checkLayout().then(
      () => {
        layoutKnown = true;
      },
      () => {
        layoutChecked = undefined;
      },
    );
    await layoutChecked;
  };

  async function checkLayout() {
    const key = layoutKey(prefix);
    if (!cluster) {
      legacyFree = (await client.quiverOnlineMarkLayout(key)) === 1;
      return;
    }
    if ((await client.exists(key)) === 1) {
      legacyFree = true;
      return;
    }
    const sizes = await Promise.all(masters(client).map((m) => m.dbsize()));
    if (sizes.length > 0 && sizes.every((n) => n === 0)) {
      await client.set(key, "2", "NX");
      legacyFree = true;
    }
  }

  const failed = (what: string, e: unknown): Error => {
    if (e instanceof UnavailableError || e instanceof OnlineDataError) return e;
    const why = e instanceof Error ? e.message : String(e);
    const err = new UnavailableError(`Redis online store ${what} failed at ${redisAddress(client)}: ${why}`);
    err.cause = e;
    return err;
  };

  /**
   * Stores each list's names (SET NX GET: an entry already there must hold the same names, else
   * two lists share a fingerprint and the write is refused).
   */
  async function register(lists: FeatureList[]) {
    await Promise.all(
      lists.map(async (l) => {
        const key = featureListKey(prefix, fpHex(l.fp));
        const before = (await client.call("SET", key, l.json, "NX", "GET")) as string | null;
        if (before !== null && before !== l.json)
          throw new OnlineDataError(
            `feature list fingerprint ${fpHex(l.fp)} collides: ${key} holds ${before}, not ${l.json}`,
          );
        registered.add(l.fp);
        names.set(l.fp, l.names);
      }),
    );
  }

  /** Names of the feature lists these rows use, fetched for those this process has not seen. */
  async function resolveLists(fps: Set<number>) {
    const missing = [...fps].filter((fp) => !names.has(fp));
    if (missing.length === 0) return;
    const found = await Promise.all(
      missing.map((fp) => client.get(featureListKey(prefix, fpHex(fp))) as Promise<string | null>),
    );
    missing.forEach((fp, i) => {
      const json = found[i];
      if (json == null)
        throw new OnlineDataError(
          `online rows use feature list ${fpHex(fp)}, whose names (${featureListKey(prefix, fpHex(fp))}) are missing`,
        );
      names.set(fp, JSON.parse(json) as string[]);
    });
  }

  function planFor(fp: number, features: string[], featuresKey: string): Plan {
    let byFeatures = plans.get(fp);
    if (!byFeatures) {
      byFeatures = new Map();
      plans.set(fp, byFeatures);
    }
    let p = byFeatures.get(featuresKey);
    if (!p) {
      if (byFeatures.size > 1000) byFeatures.clear();
      p = plan(names.get(fp) ?? [], features);
      byFeatures.set(featuresKey, p);
    }
    return p;
  }

  /** Sends write-script calls for (key, row) pairs, a few pipelines in flight at a time. */
  async function sendRows(keys: string[], rows: Buffer[]): Promise<number> {
    let written = 0;
    const inFlight: Promise<void>[] = [];
    const send = (p: ChainableCommander) => {
      inFlight.push(
        execAll(p).then((replies) => {
          for (const r of replies) written += Number(r);
        }),
      );
    };
    for (const group of groupByNode(client, keys)) {
      for (const idx of chunks(group.indexes, WRITE_CHUNK)) {
        const p = client.pipeline();
        // a cluster refuses multi-key calls across slots: one key per call there
        const perCall = cluster ? 1 : KEYS_PER_CALL;
        for (let i = 0; i < idx.length; i += perCall) {
          const part = idx.slice(i, i + perCall);
          p.quiverOnlineSetRows(
            part.length,
            ...part.map((j) => keys[j] as string),
            ...part.map((j) => rows[j] as Buffer),
          );
        }
        send(p);
        if (inFlight.length >= WRITE_IN_FLIGHT) await inFlight.shift();
      }
    }
    await Promise.all(inFlight);
    return written;
  }

  /** GETs (or MGETs, legacy-free) of every key: one pipeline per node, all nodes at once. */
  async function fetchRows(keys: string[]): Promise<(Buffer | null | "legacy")[]> {
    // the common case, one command: no pipeline to build
    if (legacyFree && !cluster && keys.length <= MGET_KEYS) return client.mgetBuffer(keys);
    const out = new Array<Buffer | null | "legacy">(keys.length).fill(null);
    const flag = layoutKey(prefix);
    let flagSent = false;
    await Promise.all(
      groupByNode(client, keys).map(async (group) => {
        const p = client.pipeline();
        // what each command answers: the key index (GET) or indexes (MGET) its reply fills
        const targets: (number | number[])[] = [];
        if (legacyFree) {
          for (const idx of mgetGroups(group.indexes, group.slots)) {
            if (idx.length === 1) p.getBuffer(keys[idx[0] as number] as string);
            else p.mgetBuffer(idx.map((i) => keys[i] as string));
            targets.push(idx.length === 1 ? (idx[0] as number) : idx);
          }
        } else {
          for (const i of group.indexes) {
            p.getBuffer(keys[i] as string);
            targets.push(i);
          }
          // learn, in the same round trip, whether the migration has finished meanwhile
          if (!flagSent && !cluster) {
            p.exists(flag);
            flagSent = true;
          }
        }
        const res = (await p.exec()) ?? [];
        res.forEach(([err, reply], c) => {
          const t = targets[c];
          if (t === undefined) {
            if (!err && reply === 1) legacyFree = true;
            return;
          }
          if (err) {
            if (typeof t === "number" && err.message.startsWith("WRONGTYPE")) out[t] = "legacy";
            else throw err;
          } else if (typeof t === "number") out[t] = reply as Buffer | null;
          else {
            const many = reply as (Buffer | null)[];
            for (let k = 0; k < t.length; k++) out[t[k] as number] = many[k] ?? null;
          }
        });
      }),
    );
    return out;
  }

  /** Legacy hashes: HMGET _ts and the requested features, JSON per value (a second round trip). */
  async function readLegacy(keys: string[], features: string[][]): Promise<(OnlineRecord | null)[]> {
    const out = new Array<OnlineRecord | null>(keys.length).fill(null);
    await Promise.all(
      groupByNode(client, keys).map(async (group) => {
        const p = client.pipeline();
        for (const i of group.indexes) p.hmget(keys[i] as string, TS_FIELD, ...(features[i] as string[]));
        const replies = await execAll(p);
        group.indexes.forEach((i, c) => {
          out[i] = decodeLegacy(features[i] as string[], replies[c]);
        });
      }),
    );
    return out;
  }

  async function read(project: string, requests: ReadRequest[], entityKeys: string[]) {
    await ready();
    if (cluster && !legacyFree && Date.now() - layoutCheckedAt > 30_000) {
      layoutCheckedAt = Date.now();
      checkLayout().catch(() => {});
    }
    const keys: string[] = [];
    for (const r of requests)
      for (const k of entityKeys) keys.push(rowKey(prefix, project, r.featureView, k));
    const rows = await fetchRows(keys);

    const fps = new Set<number>();
    const legacy: number[] = [];
    rows.forEach((b, i) => {
      if (b === "legacy") legacy.push(i);
      else if (b !== null) {
        if (b[0] !== FORMAT || b.length < HEADER_BYTES)
          throw new OnlineDataError(`online row ${keys[i]} is in an unknown format (${b[0]})`);
        fps.add(b.readUIntLE(9, 6));
      }
    });
    const [legacyRecords] = await Promise.all([
      legacy.length > 0
        ? readLegacy(
            legacy.map((i) => keys[i] as string),
            legacy.map((i) => requests[Math.floor(i / entityKeys.length)]?.features ?? []),
          )
        : [],
      resolveLists(fps),
    ]);
    const legacyAt = new Map(legacy.map((i, n) => [i, legacyRecords[n] ?? null]));

    let i = 0;
    return requests.map((r) => {
      const features = r.features;
      const featuresKey = features.join("\u0000");
      const scratch = new Array<unknown>(features.length);
      const build = recordBuilder(features, featuresKey);
      let lastFp = -1;
      let lastPlan: Plan | undefined;
      return entityKeys.map(() => {
        const at = i++;
        const b = rows[at];
        if (b === null || b === undefined) return null;
        if (b === "legacy") return legacyAt.get(at) ?? null;
        const fp = b.readUIntLE(9, 6);
        if (fp !== lastFp || !lastPlan) {
          lastPlan = planFor(fp, features, featuresKey);
          lastFp = fp;
        }
        decodeRow(b, lastPlan, scratch);
        return { values: build(scratch), eventTs: new Date(b.readDoubleLE(1)) };
      });
    });
  }

  return {
    kind: "redis",

    async write(project, featureView, rows): Promise<WriteResult> {
      checkName("project", project);
      checkName("feature view", featureView);
      if (rows.length === 0) return { written: 0, skipped: 0 };
      // encode everything first: a row that cannot be stored fails the call before anything is sent
      const latest = latestPerKey(rows);
      const keys = new Array<string>(latest.length);
      const encoded = new Array<Buffer>(latest.length);
      const lists: FeatureList[] = [];
      const writer = new RowWriter(latest.length * 96);
      let prevNames: string[] | undefined;
      let list: FeatureList | undefined;
      latest.forEach((row, i) => {
        const rowNames = Object.keys(row.values);
        if (!list || !prevNames || !sameNames(rowNames, prevNames)) {
          list = featureList(rowNames);
          if (!lists.includes(list)) {
            if (rowNames.includes(TS_FIELD))
              throw new Error(`feature name ${TS_FIELD} is reserved by the Redis online store`);
            lists.push(list);
          }
          prevNames = rowNames;
        }
        keys[i] = rowKey(prefix, project, featureView, row.entityKey);
        encoded[i] = writer.row(row.eventTs.getTime(), list, row.values);
      });
      try {
        await ready();
        // a list new to this process is stored before any row that names it; one stored before
        // is stored again alongside the rows (healing an entry lost since)
        const fresh = lists.filter((l) => !registered.has(l.fp));
        if (fresh.length > 0) await register(fresh);
        const [, written] = await Promise.all([
          register(lists.filter((l) => !fresh.includes(l))),
          sendRows(keys, encoded),
        ]);
        return { written, skipped: rows.length - written };
      } catch (e) {
        throw failed("write", e);
      }
    },

    async read(project, requests, entityKeys) {
      checkName("project", project);
      for (const r of requests) checkName("feature view", r.featureView);
      if (requests.length === 0 || entityKeys.length === 0) return requests.map(() => []);
      try {
        return await withinTimeout(read(project, requests, entityKeys));
      } catch (e) {
        throw failed("read", e);
      }
    },

    async deleteView(project, featureView) {
      checkName("project", project);
      checkName("feature view", featureView);
      try {
        await ready();
        // no per-view index (it would cost every write a second key in another slot): SCAN every
        // master for the view's keys; a cluster node refuses multi-key commands across slots, so
        // there each key is unlinked on its own, pipelined on the node that holds it
        await Promise.all(
          masters(client).map(async (node) => {
            const stream = node.scanStream({
              match: viewPattern(prefix, project, featureView),
              count: DELETE_BATCH,
            });
            for await (const keys of stream as AsyncIterable<string[]>) {
              if (keys.length === 0) continue;
              if (!cluster) await node.unlink(...keys);
              else {
                const p = node.pipeline();
                for (const k of keys) p.unlink(k);
                await execAll(p);
              }
            }
          }),
        );
      } catch (e) {
        throw failed("deleteView", e);
      }
    },

    async ping() {
      try {
        await withinTimeout(pingAll());
      } catch (e) {
        throw e instanceof UnavailableError ? e : unreachable(client, e);
      }
    },

    async close() {
      await closeRedis(client);
    },
  };

  /**
   * The call's answer, or an UnavailableError once the timeout has passed: a read or ping waits at
   * most that long in all (connection, fingerprint names, legacy rows), whatever each command's own
   * timeout leaves.
   */
  async function withinTimeout<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(unreachable(client, `no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([work, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Every master answers; on a cluster, each also says the cluster is ok (no CLUSTERDOWN). */
  async function pingAll() {
    await ready();
    if (!cluster) {
      await client.ping();
      return;
    }
    const nodes = masters(client);
    if (nodes.length === 0) throw new Error("the cluster's slot map names no master");
    await Promise.all(
      nodes.map(async (node) => {
        const info = String(await node.cluster("INFO"));
        const state = /cluster_state:(\w+)/.exec(info)?.[1];
        if (state !== "ok")
          throw new Error(`node ${node.options.host}:${node.options.port} reports cluster_state:${state}`);
      }),
    );
  }
}

type Builder = (decoded: unknown[]) => Record<string, unknown>;
const builders = new Map<string, Builder>();

/**
 * Builds a record's values from decoded values (in request order), leaving out absent ones. For
 * a row holding every requested feature (the common case) a constructor made for these names
 * assigns them all, so V8 lays the object out once with every property in place; otherwise, or
 * for names a constructor cannot take, one property at a time.
 */
function recordBuilder(features: string[], featuresKey: string): Builder {
  let build = builders.get(featuresKey);
  if (build) return build;
  const oneByOne: Builder = (decoded) => {
    const values: Record<string, unknown> = {};
    for (let j = 0; j < features.length; j++) {
      const v = decoded[j];
      if (v !== ABSENT) values[features[j] as string] = v;
    }
    return values;
  };
  build = oneByOne;
  const distinct = new Set(features).size === features.length;
  if (distinct && features.length <= 256 && !features.includes("__proto__")) {
    // names enter the code as JSON string literals only
    const body = features.map((f, j) => `this[${JSON.stringify(f)}] = d[${j}];`).join("\n");
    const Whole = new Function("d", body) as unknown as new (d: unknown[]) => Record<string, unknown>;
    // plain objects, as a literal makes them (serializers check the prototype)
    Whole.prototype = Object.prototype;
    build = (decoded) => {
      for (let j = 0; j < decoded.length; j++) if (decoded[j] === ABSENT) return oneByOne(decoded);
      return new Whole(decoded);
    };
  }
  if (builders.size > 1000) builders.clear();
  builders.set(featuresKey, build);
  return build;
}

/** The keys of one node's group as MGET batches: one per slot on a cluster, any on a single Redis. */
function mgetGroups(indexes: number[], slots: number[]): number[][] {
  if (slots.length === 0) return [...chunks(indexes, MGET_KEYS)];
  const bySlot = new Map<number, number[]>();
  indexes.forEach((i, n) => {
    const s = slots[n] as number;
    const g = bySlot.get(s);
    if (g) g.push(i);
    else bySlot.set(s, [i]);
  });
  return [...bySlot.values()].flatMap((g) => [...chunks(g, MGET_KEYS)]);
}

function sameNames(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A legacy hash's HMGET reply [_ts, ...values]: JSON per value; no `_ts` means not stored. */
function decodeLegacy(features: string[], reply: unknown): OnlineRecord | null {
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
async function execAll(p: ChainableCommander): Promise<unknown[]> {
  const res = (await p.exec()) ?? [];
  return res.map(([err, reply]) => {
    if (err) throw err;
    return reply;
  });
}

/** Stored data the store cannot make sense of (not a Redis failure: an internal error, logged). */
export class OnlineDataError extends Error {
  override name = "OnlineDataError";
}
