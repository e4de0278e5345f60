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
 * While the store fails, the limit falls back to buckets in this process's memory (fail-open to a
 * per-process limit, never to no limit and never to refusing every call) and says so once in the
 * log; the next call that reaches the store again shares the limit again.
 */
export interface SharedRateLimiter extends RateLimiter {
  take(key: string): Promise<number>;
  /** Where the buckets are. */
  readonly store: "redis" | "postgres";
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

/** Takes one token: the seconds until one is there, 0 when one was taken. */
type TakeToken = (key: string, rate: number, burst: number) => Promise<number>;

export function createSharedRateLimiter(opts: SharedRateLimitOptions): SharedRateLimiter {
  const { rate, burst, prefix = "" } = opts;
  const log = opts.log ?? ((message, fields) => rootLogger().warn(fields, message));
  const connect = redisConnector(opts);
  const store = connect ? redisBuckets(connect) : postgresBuckets(opts.pool);
  const local = createRateLimiter({ rate, burst });
  let failing = false;
  return {
    store: store.kind,
    async take(key) {
      let wait: number;
      try {
        wait = await store.take(`${prefix}${key}`, rate, burst);
      } catch (e) {
        if (!failing)
          log("rate limits: the store failed; limiting in this process only until it answers again", {
            err: e,
            store: store.kind,
          });
        failing = true;
        return local.take(key);
      }
      if (failing)
        log("rate limits: the store answers again; limits are shared again", { store: store.kind });
      failing = false;
      return wait <= 0 ? 0 : Math.max(1, Math.ceil(wait));
    },
    close: store.close,
  };
}

/**
 * One statement: the upsert takes a token only when the refilled bucket holds one (its WHERE), and
 * the outer select, which sees the row as it was before the statement, gives the wait when it
 * did not. The refill uses the database's clock, the same for every process.
 */
const TAKE_SQL = `
with taken as (
  insert into rate_limit_buckets as b (key, tokens, updated_at)
  values ($1, $2::float8 - 1, now())
  on conflict (key) do update
    set tokens = least($2::float8, b.tokens + greatest(0, extract(epoch from now() - b.updated_at)) * $3::float8) - 1,
        updated_at = now()
    where least($2::float8, b.tokens + greatest(0, extract(epoch from now() - b.updated_at)) * $3::float8) >= 1
  returning 1
)
select exists (select 1 from taken) as taken,
  (select (1 - least($2::float8, tokens + greatest(0, extract(epoch from now() - updated_at)) * $3::float8)) / $3::float8
     from rate_limit_buckets where key = $1) as wait`;

function postgresBuckets(pool: pg.Pool) {
  const take: TakeToken = async (key, rate, burst) => {
    const { rows } = await pool.query<{ taken: boolean; wait: number | null }>(TAKE_SQL, [key, burst, rate]);
    const row = rows[0];
    if (row?.taken) return 0;
    // a bucket another process created within this statement: its wait is at most one token's
    return Math.max(row?.wait ?? 1 / rate, 1e-6);
  };
  return { kind: "postgres" as const, take, close: async () => {} };
}

/**
 * The same bucket as a Lua script (atomic in Redis) on Redis's clock. The hash expires once it
 * would be full again, so idle keys cost nothing. The wait comes back as a string: Redis would
 * truncate a Lua number to an integer.
 */
const TAKE_LUA = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(b[1]) or burst
local at = tonumber(b[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return tostring(wait)`;

declare module "ioredis" {
  interface RedisCommander<Context> {
    quiverTakeToken(key: string, rate: string, burst: string): Result<string, Context>;
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
    r.defineCommand("quiverTakeToken", { numberOfKeys: 1, lua: TAKE_LUA });
    r.on("error", (e: Error) => {
      lastError = e;
    });
    redis = r;
    return r;
  };
  const take: TakeToken = async (key, rate, burst) => {
    const r = client();
    await whenReady(r, () => lastError);
    return Number(await r.quiverTakeToken(`${REDIS_KEY_PREFIX}${key}`, String(rate), String(burst)));
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
