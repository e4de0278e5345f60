import "server-only";
import type pg from "pg";
import { createPostgresOnlineStore } from "./postgres-store";
import { connectRedis, connectRedisCluster, createRedisOnlineStore } from "./redis-store";
import type { OnlineStore } from "./types";

export { entityKey } from "./entity-key";
export { createPostgresOnlineStore } from "./postgres-store";
export { migrateLegacyOnlineRows } from "./redis-migrate";
export { connectRedis, connectRedisCluster, createRedisOnlineStore } from "./redis-store";
export type { OnlineRecord, OnlineRow, OnlineStore, ReadRequest, WriteResult } from "./types";

/**
 * Redis Cluster when startup nodes are configured (REDIS_CLUSTER_NODES), else Redis when a URL is,
 * else the `online_values` table in the registry's database. `redisTimeoutMs`: every Redis call's
 * limit (QUIVER_REDIS_TIMEOUT_MS when unset).
 */
export function createOnlineStore(opts: {
  redisUrl?: string;
  redisClusterNodes?: string[];
  redisTimeoutMs?: number;
  pool: pg.Pool;
  prefix?: string;
}): OnlineStore {
  const timeout = { timeoutMs: opts.redisTimeoutMs };
  if (opts.redisClusterNodes && opts.redisClusterNodes.length > 0)
    return createRedisOnlineStore(connectRedisCluster(opts.redisClusterNodes.join(","), timeout), {
      prefix: opts.prefix,
    });
  if (opts.redisUrl)
    return createRedisOnlineStore(connectRedis(opts.redisUrl, timeout), { prefix: opts.prefix });
  return createPostgresOnlineStore(opts.pool);
}
