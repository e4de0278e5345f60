import "server-only";
import type { Result } from "ioredis";
import type pg from "pg";
import { rootLogger } from "../core/log";
import { connectRedis, connectRedisCluster, type RedisClient, whenReady } from "../online/redis-client";
import { createRateLimiter, type RateLimiter } from "./rate-limit";

/**
 * Token buckets every process shares (docs/adr/0017-shared-rate-limits.md): in Redis Cluster when
 * REDIS_CLUSTER_NODES is set, in Redis when REDIS_URL is, else in Postgres (table
 * rate_limit_buckets). Each take is one atomic step on
 * the store's clock, so N app and feature-server processes together allow what one would.
 *
 * A busy key leases its tokens: one store call takes up to `maxLease` of them, which this process
 * then spends without asking again (for at most LEASE_MS); a quiet key asks once per request. The
 * limit stays exact in sum (no token is spent that the store did not grant) while a busy key costs
 * the store one call per lease rather than one per request (docs/adr/0017).
 *
 * While the store fails, the limit falls back to buckets in this process's memory (fail-open to a
 * per-process limit, never to no limit and never to refusing every call) and says so once in the
 * log; the next call that reaches the store again shares the limit again.
 */
export interface SharedRateLimiter extends RateLimiter {
  /** 0 when a token was taken (synchronously from a lease when one holds tokens), else the wait. */
  take(key: string): number | Promise<number>;
  /** Where the buckets are. */
  readonly store: "redis" | "postgres";
  /** Calls made to the shared store so far (leases make it fewer than takes): for tests and metrics. */
  readonly storeCalls: number;
  /** Closes the Redis connection this limiter opened, if any. */
  close(): Promise<void>;
}

export interface SharedRateLimitOptions {
  /** Tokens added per second. */
  rate: number;
  /** Bucket size. */
  burst: number;
  /** Postgres holds the buckets when there is no Redis. */
  pool: pg.Pool;
  /** Redis holds the buckets when set. */
  redisUrl?: string;
  /** Redis Cluster startup nodes (`host:port`): the cluster holds the buckets; wins over redisUrl. */
  redisClusterNodes?: string[];
  /** Prepended to every key (tests keep theirs apart). */
  prefix?: string;
  /** Where the store's failure and recovery are told; the root logger at warn unless set. */
  log?: (message: string, fields: Record<string, unknown>) => void;
}

/**
 * Takes up to `want` tokens at once: how many were granted, and when none was, the seconds until
 * one is there. A store may grant fewer than asked (Postgres grants one at a time).
 */
type TakeTokens = (
  key: string,
  rate: number,
  burst: number,
  want: number,
) => Promise<{ granted: number; wait: number }>;

/** Leased tokens not spent within this long are dropped (they were taken from the shared bucket). */
const LEASE_MS = 1000;
/** A lease spent this fast means the key is busy in this process: the next one is twice as big. */
const GROW_MS = 100;
const MAX_LEASE = 1000;

/**
 * The most tokens one process may hold for a key: a tenth of the burst and 100 ms of the rate, so
 * that a lease never starves another process of more than a sliver of the key's limit. At the
 * defaults (50/s, bursts of 100) that is 5; below 10 tokens of burst or rate it is 1 (no lease).
 */
export function maxLease(rate: number, burst: number): number {
  return Math.max(1, Math.min(MAX_LEASE, Math.floor(burst / 10), Math.floor(rate / 10)));
}

interface Lease {
  tokens: number;
  /** When the tokens held are dropped. */
  expires: number;
  /** When they were granted. */
  at: number;
  /** How many to ask for next. */
  size: number;
  /** The store call under way, which every take arriving meanwhile waits for. */
  pending?: Promise<number>;
}

export function createSharedRateLimiter(opts: SharedRateLimitOptions): SharedRateLimiter {
  const { rate, burst, prefix = "" } = opts;
  const log = opts.log ?? ((message, fields) => rootLogger().warn(fields, message));
  const connect = redisConnector(opts);
  const store = connect ? redisBuckets(connect) : postgresBuckets(opts.pool);
  const local = createRateLimiter({ rate, burst });
  const most = maxLease(rate, burst);
  const leases = new Map<string, Lease>();
  let lastSweep = Date.now();
  let storeCalls = 0;
  let failing = false;

  /** Asks the store for the key's next lease: 0 once it holds tokens, else the wait in seconds. */
  async function refill(key: string, lease: Lease): Promise<number> {
    const now = Date.now();
    if (lease.tokens >= 1)
      lease.size = Math.max(1, Math.floor(lease.size / 2)); // expired unspent
    else if (now - lease.at < GROW_MS) lease.size = Math.min(most, lease.size * 2);
    lease.tokens = 0;
    storeCalls++;
    let answer: { granted: number; wait: number };
    try {
      answer = await store.take(`${prefix}${key}`, rate, burst, lease.size);
    } catch (e) {
      if (!failing)
        log("rate limits: the store failed; limiting in this process only until it answers again", {
          err: e,
          store: store.kind,
        });
      failing = true;
      const wait = local.take(key);
      if (wait === 0) {
        lease.tokens = 1;
        lease.at = Date.now();
        lease.expires = lease.at + LEASE_MS;
      }
      return wait;
    }
    if (failing) log("rate limits: the store answers again; limits are shared again", { store: store.kind });
    failing = false;
    if (answer.granted < 1) return answer.wait <= 0 ? 1 : Math.max(1, Math.ceil(answer.wait));
    lease.tokens = answer.granted;
    lease.at = Date.now();
    lease.expires = lease.at + LEASE_MS;
    return 0;
  }

  function take(key: string): number | Promise<number> {
    const now = Date.now();
    if (now - lastSweep > LEASE_MS * 10) {
      for (const [k, l] of leases) if (now > l.expires && !l.pending) leases.delete(k);
      lastSweep = now;
    }
    let lease = leases.get(key);
    if (!lease) {
      lease = { tokens: 0, expires: 0, at: 0, size: 1 };
      leases.set(key, lease);
    }
    if (lease.tokens >= 1 && now < lease.expires) {
      lease.tokens--;
      return 0;
    }
    const held = lease;
    if (!held.pending)
      held.pending = refill(key, held).finally(() => {
        held.pending = undefined;
      });
    // Every take waiting on this call either spends one of its tokens or, when they are gone,
    // asks again: the tokens granted are spent once each, whatever the order of the waiters.
    return held.pending.then((wait) => (wait > 0 ? wait : take(key)));
  }

  return {
    store: store.kind,
    take,
    get storeCalls() {
      return storeCalls;
    },
    close: store.close,
  };
}

/**
 * One statement: the upsert takes a token only when the refilled bucket holds one (its WHERE), and
 * the outer select, which sees the row as it was before the statement, gives the wait when it
 * did not. The refill uses the database's clock, the same for every process. now() is the
 * transaction's start: a statement that waited for the row lock behind a later one must not move
 * updated_at back, or the next refill would count that interval twice.
 */
const TAKE_SQL = `
with taken as (
  insert into rate_limit_buckets as b (key, tokens, updated_at)
  values ($1, $2::float8 - 1, now())
  on conflict (key) do update
    set tokens = least($2::float8, b.tokens + greatest(0, extract(epoch from now() - b.updated_at)) * $3::float8) - 1,
        updated_at = greatest(b.updated_at, now())
    where least($2::float8, b.tokens + greatest(0, extract(epoch from now() - b.updated_at)) * $3::float8) >= 1
  returning 1
)
select exists (select 1 from taken) as taken,
  (select (1 - least($2::float8, tokens + greatest(0, extract(epoch from now() - updated_at)) * $3::float8)) / $3::float8
     from rate_limit_buckets where key = $1) as wait`;

/** Grants one token per statement whatever was asked: a lease would need the row's old value. */
function postgresBuckets(pool: pg.Pool) {
  const take: TakeTokens = async (key, rate, burst) => {
    const { rows } = await pool.query<{ taken: boolean; wait: number | null }>(TAKE_SQL, [key, burst, rate]);
    const row = rows[0];
    if (row?.taken) return { granted: 1, wait: 0 };
    // a bucket another process created within this statement: its wait is at most one token's
    return { granted: 0, wait: Math.max(row?.wait ?? 1 / rate, 1e-6) };
  };
  return { kind: "postgres" as const, take, close: async () => {} };
}

/**
 * The same bucket as a Lua script (atomic in Redis) on Redis's clock, taking up to ARGV[3] whole
 * tokens at once. The hash expires once it would be full again, so idle keys cost nothing. The
 * answer is {granted, wait} as strings: Redis would truncate a Lua number to an integer. The hash
 * keeps exact doubles (%.17g): tostring's 14 digits rounded `at` to 0.1 ms, and as calls came
 * faster than that, the clamp of negative intervals turned rounding into ~4 % more tokens.
 */
const TAKE_LUA = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local want = tonumber(ARGV[3]) or 1
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(b[1]) or burst
local at = tonumber(b[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local wait = 0
local granted = 0
if tokens >= 1 then
  granted = math.min(want, math.floor(tokens))
  tokens = tokens - granted
else
  wait = (1 - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'at', string.format('%.17g', now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return {tostring(granted), tostring(wait)}`;

declare module "ioredis" {
  interface RedisCommander<Context> {
    quiverTakeTokens(
      key: string,
      rate: string,
      burst: string,
      want: string,
    ): Result<[string, string], Context>;
  }
}

/** Redis keys of the buckets: `rl:` beside the online store's `q:` (docs/adr/0003). */
const REDIS_KEY_PREFIX = "rl:";

/** How to open the buckets' Redis, when one is configured (a bucket is one key: cluster-safe). */
function redisConnector(opts: SharedRateLimitOptions): (() => RedisClient) | undefined {
  const nodes = opts.redisClusterNodes;
  if (nodes && nodes.length > 0) return () => connectRedisCluster(nodes.join(","));
  const url = opts.redisUrl;
  return url ? () => connectRedis(url) : undefined;
}

/** Connects on the first take: a process that serves no API key (the CLI) opens nothing. */
function redisBuckets(connect: () => RedisClient) {
  let redis: RedisClient | undefined;
  let lastError: Error | undefined;
  const client = (): RedisClient => {
    if (redis) return redis;
    const r = connect();
    r.defineCommand("quiverTakeTokens", { numberOfKeys: 1, lua: TAKE_LUA });
    r.on("error", (e: Error) => {
      lastError = e;
    });
    redis = r;
    return r;
  };
  const take: TakeTokens = async (key, rate, burst, want) => {
    const r = client();
    await whenReady(r, () => lastError);
    const [granted, wait] = await r.quiverTakeTokens(
      `${REDIS_KEY_PREFIX}${key}`,
      String(rate),
      String(burst),
      String(want),
    );
    return { granted: Number(granted), wait: Number(wait) };
  };
  return {
    kind: "redis" as const,
    take,
    close: async () => {
      const r = redis;
      redis = undefined;
      await r?.quit().catch(() => r.disconnect());
    },
  };
}
