import "server-only";
import type pg from "pg";
import { createPostgresOnlineStore } from "./postgres-store";
import { connectRedis, createRedisOnlineStore } from "./redis-store";
import type { OnlineStore } from "./types";

export { entityKey } from "./entity-key";
export { createPostgresOnlineStore } from "./postgres-store";
export { connectRedis, createRedisOnlineStore } from "./redis-store";
export type { OnlineRecord, OnlineRow, OnlineStore, ReadRequest, WriteResult } from "./types";

/** Redis when a URL is configured, else the `online_values` table in the registry's database. */
export function createOnlineStore(opts: { redisUrl?: string; pool: pg.Pool; prefix?: string }): OnlineStore {
  if (opts.redisUrl) return createRedisOnlineStore(connectRedis(opts.redisUrl), { prefix: opts.prefix });
  return createPostgresOnlineStore(opts.pool);
}
