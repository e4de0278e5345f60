import { randomBytes } from "node:crypto";
import type { Ctx } from "../../server/core/context";
import { entityKey } from "../../server/online/entity-key";
import { connectRedis, createRedisOnlineStore } from "../../server/online/redis-store";
import type { OnlineStore } from "../../server/online/types";
import {
  createDataSource,
  createEntity,
  createFeatureService,
  createFeatureView,
  ensureProject,
} from "../../server/registry";
import { redisUrlOrSkip, type TestDb, testCtx } from "../db";

/**
 * Shared ground for the serving tests: the online stores to run against (Postgres always, Redis
 * when REDIS_URL is set) and a seeded registry.
 */

export const PROJECT = "proj";

export interface StoreKind {
  kind: "postgres" | "redis";
  skip: boolean;
  /** A context on the test database with this kind of online store, and how to clean it up. */
  open(t: TestDb): Promise<{ ctx: Ctx; close(): Promise<void> }>;
}

const redisUrl = redisUrlOrSkip();

export const STORE_KINDS: StoreKind[] = [
  {
    kind: "postgres",
    skip: false,
    async open(t) {
      return { ctx: testCtx(t), close: async () => {} };
    },
  },
  {
    kind: "redis",
    skip: !redisUrl,
    async open(t) {
      const prefix = `test:${randomBytes(6).toString("hex")}:`;
      const redis = connectRedis(redisUrl ?? "");
      const online: OnlineStore = createRedisOnlineStore(redis, { prefix });
      await online.ping();
      return {
        ctx: testCtx(t, { online }),
        async close() {
          for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 1000 }) as AsyncIterable<
            string[]
          >)
            if (keys.length > 0) await redis.unlink(...keys);
          await online.close();
        },
      };
    },
  },
];

/**
 * Project "proj" with:
 * - entities driver (driver_id, int64) and customer (customer_id, string);
 * - in the offline database, schema proj: tables driver_stats and trips;
 * - table source driver_stats_source (proj.driver_stats; column `conv` mapped to conv_rate),
 *   query source driver_profile_source (over proj.driver_stats), table source trips_source (proj.trips);
 * - views driver_hourly_stats (ttl 1 day), driver_profile (ttl 0; shares the feature name
 *   conv_rate), customer_trips (keyed by driver and customer), driver_archive (offline only,
 *   reads driver_stats_source too);
 * - feature service driver_activity = driver_hourly_stats:conv_rate, :acc_rate, driver_profile:*.
 */
export async function seedServing(ctx: Ctx, t: Pick<TestDb, "offlineSql">): Promise<void> {
  const project = PROJECT;
  await t.offlineSql(
    project,
    `create table driver_stats (
      driver_id bigint not null, conv double precision, acc_rate double precision check (acc_rate <= 1), avg_daily_trips bigint,
      event_timestamp timestamptz not null, created timestamptz);
    create table trips (
      driver_id bigint, customer_id text, trips_together bigint, event_timestamp timestamptz);`,
  );
  await ensureProject({ ctx, input: { name: project } });
  await createEntity({ ctx, input: { project, name: "driver", joinKey: "driver_id", valueType: "int64" } });
  await createEntity({
    ctx,
    input: { project, name: "customer", joinKey: "customer_id", valueType: "string" },
  });
  await createDataSource({
    ctx,
    input: {
      project,
      name: "driver_stats_source",
      kind: "table",
      tableName: "proj.driver_stats",
      timestampField: "event_timestamp",
      createdTimestampField: "created",
      fieldMapping: { conv: "conv_rate" },
    },
  });
  await createDataSource({
    ctx,
    input: {
      project,
      name: "driver_profile_source",
      kind: "query",
      query:
        "select driver_id, conv as conv_rate, 'x' as city, array['t'] as tags, event_timestamp from proj.driver_stats",
      timestampField: "event_timestamp",
    },
  });
  await createDataSource({
    ctx,
    input: {
      project,
      name: "trips_source",
      kind: "table",
      tableName: "proj.trips",
      timestampField: "event_timestamp",
    },
  });
  const view = (spec: Parameters<typeof createFeatureView>[0]["input"]["spec"]) =>
    createFeatureView({ ctx, input: { project, spec } });
  await view({
    name: "driver_hourly_stats",
    entities: ["driver"],
    source: "driver_stats_source",
    ttlSeconds: 86400,
    fields: [
      { name: "conv_rate", dtype: "float64" },
      { name: "acc_rate", dtype: "float64" },
      { name: "avg_daily_trips", dtype: "int64" },
    ],
  });
  await view({
    name: "driver_profile",
    entities: ["driver"],
    source: "driver_profile_source",
    ttlSeconds: 0,
    fields: [
      { name: "conv_rate", dtype: "float64" },
      { name: "city", dtype: "string" },
      { name: "tags", dtype: "list<string>" },
    ],
  });
  await view({
    name: "customer_trips",
    entities: ["driver", "customer"],
    source: "trips_source",
    ttlSeconds: 0,
    fields: [{ name: "trips_together", dtype: "int64" }],
  });
  await view({
    name: "driver_archive",
    entities: ["driver"],
    source: "driver_stats_source",
    ttlSeconds: 0,
    online: false,
    fields: [{ name: "acc_rate", dtype: "float64" }],
  });
  await createFeatureService({
    ctx,
    input: {
      project,
      name: "driver_activity",
      features: ["driver_hourly_stats:conv_rate", "driver_hourly_stats:acc_rate", "driver_profile:*"],
    },
  });
}

export const driverKey = (id: number | string) => entityKey({ driver_id: id });

/** Seconds before now, as a Date. */
export const ago = (seconds: number) => new Date(Date.now() - seconds * 1000);

export function postJson(path: string, body: unknown): Request {
  return new Request(`http://quiver.test/api/v1/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}
