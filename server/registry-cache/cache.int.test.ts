import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { driverKey, PROJECT, seedServing } from "../../test/helpers/serving";
import { createApiKey, resolveApiKey, revokeApiKey } from "../auth/api-keys";
import type { Actor, Ctx } from "../core/context";
import { rootLogger } from "../core/log";
import { createDb, createPool } from "../db/client";
import { createEntity, getFeatureView, updateFeatureView } from "../registry";
import { getOnlineFeatures } from "../serving";
import { createRegistryCache } from "./cache";
import type { RegistryCache } from "./types";

/**
 * The registry cache against a real database: warm lookups run no query, every registry write
 * (through a service, or raw SQL on another connection) empties it within a second, and while
 * its notification connection is down it keeps nothing.
 */

let t: TestDb;
let admin: Ctx;
const LOCAL: Actor = { kind: "local", name: "test" };

/**
 * A cache on a pool of its own, counting every connection it checks out (each query takes one).
 * `listenTo`: the database its listener connects to (another one hears none of this one's writes).
 */
function openCache(listenTo = t.url) {
  const pool = createPool(t.url, 3);
  let checkouts = 0;
  pool.on("acquire", () => checkouts++);
  const db = createDb(pool);
  const cache = createRegistryCache({
    db,
    log: rootLogger(),
    connect: async () => {
      const c = new pg.Client({ connectionString: listenTo });
      c.on("error", () => {});
      await c.connect();
      return c;
    },
  });
  return {
    cache,
    db,
    queries: () => checkouts,
    async close() {
      await cache.close();
      await pool.end();
    },
  };
}

/** Waits for a condition the cache reports (not a fixed sleep); fails after `ms`. */
async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<number> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return Date.now() - start;
}

const listening = (c: RegistryCache) => until("LISTEN", () => c.state().listening);

beforeAll(async () => {
  t = await createTestDb();
  admin = testCtx(t, { actor: LOCAL });
  await seedServing(admin, t);
  await admin.online.write(PROJECT, "driver_hourly_stats", [
    { entityKey: driverKey(1), values: { conv_rate: 0.5, acc_rate: 0.9 }, eventTs: new Date() },
  ]);
}, 60_000);
afterAll(() => t?.drop());

describe("registry cache", () => {
  it("answers a warm lookup, key to values, without a single query", async () => {
    const c = openCache();
    try {
      await listening(c.cache);
      const seen = c.cache.state().invalidations;
      const { key } = await createApiKey({
        ctx: admin,
        input: { project: PROJECT, name: "warm", role: "consumer" },
      });
      await until("the creation's notification", () => c.cache.state().invalidations > seen, 1000);
      const lookup = async () => {
        const actor = await resolveApiKey(c.db, key, {
          registry: c.cache,
          usage: { keyUsed() {}, viewsRead() {} },
        });
        if (!actor) throw new Error("key refused");
        const ctx = { ...testCtx(t, { actor, online: admin.online }), db: c.db, registry: c.cache };
        return getOnlineFeatures({
          ctx,
          input: {
            project: PROJECT,
            feature_service: "driver_activity",
            full_feature_names: true,
            entities: { driver_id: [1, 2] },
          },
        });
      };
      const cold = await lookup();
      const before = c.queries();
      const warm = await lookup();
      expect(c.queries() - before).toBe(0);
      expect(warm).toEqual(cold);
      expect(warm.results[1]?.values).toEqual([0.5, null]);
    } finally {
      await c.close();
    }
  });

  it("is emptied within a second by a write on another connection, and reads it", async () => {
    const c = openCache();
    try {
      await listening(c.cache);
      const served = async () =>
        (await c.cache.views((await c.cache.project(PROJECT))?.id ?? "", ["driver_hourly_stats"])).get(
          "driver_hourly_stats",
        );
      expect((await served())?.spec.ttlSeconds).toBe(86400);
      const seen = c.cache.state().invalidations;
      // A new version through a context without the cache: only the notification tells this one.
      const current = await getFeatureView({
        ctx: admin,
        input: { project: PROJECT, name: "driver_hourly_stats" },
      });
      await updateFeatureView({
        ctx: admin,
        input: {
          project: PROJECT,
          baseVersion: current.version,
          spec: { ...current.spec, ttlSeconds: 3600 },
        },
      });
      const committed = Date.now();
      const waited = await until("the notification", () => c.cache.state().invalidations > seen, 1000);
      expect(waited).toBeLessThan(1000);
      expect(Date.now() - committed).toBeLessThan(1000);
      expect(await served()).toMatchObject({ version: current.version + 1, spec: { ttlSeconds: 3600 } });
    } finally {
      await c.close();
    }
  });

  it("refuses a revoked key within a second in every process's cache", async () => {
    const one = openCache();
    const two = openCache();
    try {
      await Promise.all([listening(one.cache), listening(two.cache)]);
      const { key, apiKey } = await createApiKey({
        ctx: admin,
        input: { project: PROJECT, name: "soon-revoked", role: "consumer" },
      });
      for (const c of [one, two])
        expect(await resolveApiKey(c.db, key, { registry: c.cache })).not.toBeNull();
      await revokeApiKey({ ctx: admin, input: { project: PROJECT, id: apiKey.id } });
      const revoked = Date.now();
      for (const c of [one, two])
        await until(
          "the revocation",
          async () => (await resolveApiKey(c.db, key, { registry: c.cache })) === null,
          1000,
        );
      expect(Date.now() - revoked).toBeLessThan(1000);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });

  it("honours a key's expiry without any notification", async () => {
    const c = openCache();
    try {
      await listening(c.cache);
      const expiresAt = new Date(Date.now() + 1500);
      const seen = c.cache.state().invalidations;
      const { key } = await createApiKey({
        ctx: admin,
        input: { project: PROJECT, name: "expiring", role: "consumer", expiresAt },
      });
      // the creation's own notification must not be what empties the cache later
      await until("the creation's notification", () => c.cache.state().invalidations > seen, 1000);
      const usage = { keyUsed() {}, viewsRead() {} };
      expect(await resolveApiKey(c.db, key, { registry: c.cache, usage })).not.toBeNull();
      await until("the expiry", () => Date.now() > expiresAt.getTime(), 5000);
      const before = c.queries();
      expect(await resolveApiKey(c.db, key, { registry: c.cache, usage })).toBeNull();
      expect(c.queries()).toBe(before);
    } finally {
      await c.close();
    }
  });

  it("keeps nothing while its connection is down, and listens again by itself", async () => {
    const c = openCache();
    try {
      await listening(c.cache);
      await c.cache.project(PROJECT);
      const q0 = c.queries();
      await c.cache.project(PROJECT);
      expect(c.queries()).toBe(q0);
      await t.pool.query(
        "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query = 'LISTEN quiver_registry'",
      );
      await until("the loss", () => !c.cache.state().listening);
      expect(c.cache.state().ageMs).toBeNull();
      const q1 = c.queries();
      expect((await c.cache.project(PROJECT))?.name).toBe(PROJECT);
      expect((await c.cache.project(PROJECT))?.name).toBe(PROJECT);
      // Down, every call reads the database (unless it listens again in between).
      if (!c.cache.state().listening) expect(c.queries() - q1).toBeGreaterThanOrEqual(1);
      await listening(c.cache);
      const seen = c.cache.state().invalidations;
      await createEntity({
        ctx: admin,
        input: { project: PROJECT, name: "rider", joinKey: "rider_id", valueType: "string" },
      });
      await until("a notification after reconnecting", () => c.cache.state().invalidations > seen, 1000);
    } finally {
      await c.close();
    }
  });

  it("does not keep a value loaded while an invalidation arrived", async () => {
    const c = openCache();
    try {
      await listening(c.cache);
      const loading = c.cache.project(PROJECT);
      c.cache.invalidate("test");
      await loading;
      const before = c.queries();
      await c.cache.project(PROJECT);
      expect(c.queries() - before).toBe(1);
      await c.cache.project(PROJECT);
      expect(c.queries() - before).toBe(1);
    } finally {
      await c.close();
    }
  });

  it("is emptied by a registry write through a service in its own process at once", async () => {
    // Listening elsewhere, so no notification can be what empties it: only the write's own return.
    const c = openCache(t.offlineUrl);
    try {
      await listening(c.cache);
      const ctx = { ...testCtx(t, { actor: LOCAL }), db: c.db, registry: c.cache };
      await c.cache.project(PROJECT);
      const seen = c.cache.state().invalidations;
      await createEntity({
        ctx,
        input: { project: PROJECT, name: "store", joinKey: "store_id", valueType: "string" },
      });
      // synchronously after the service returned, before any notification could be handled
      expect(c.cache.state().invalidations).toBe(seen + 1);
    } finally {
      await c.close();
    }
  });

  it("re-resolves a feature list it has seen once the view it names changes", async () => {
    const c = openCache();
    try {
      await listening(c.cache);
      const ctx = { ...testCtx(t, { actor: LOCAL, online: admin.online }), db: c.db, registry: c.cache };
      const lookup = () =>
        getOnlineFeatures({
          ctx,
          input: {
            project: PROJECT,
            features: ["driver_hourly_stats:acc_rate", "driver_hourly_stats:conv_rate"],
            entities: { driver_id: [1] },
          },
        });
      expect((await lookup()).results[2]?.values).toEqual([0.5]);
      const before = c.queries();
      expect((await lookup()).results[2]?.values).toEqual([0.5]);
      expect(c.queries() - before).toBe(0);
      // conv_rate leaves the view, through a context without this cache: only its notification tells
      const current = await getFeatureView({
        ctx: admin,
        input: { project: PROJECT, name: "driver_hourly_stats" },
      });
      const seen = c.cache.state().invalidations;
      const without = { ...current.spec, fields: current.spec.fields.filter((f) => f.name !== "conv_rate") };
      await updateFeatureView({
        ctx: admin,
        input: { project: PROJECT, baseVersion: current.version, spec: without },
      });
      try {
        await until("the notification", () => c.cache.state().invalidations > seen, 1000);
        await expect(lookup()).rejects.toThrow(/has no feature "conv_rate"/);
      } finally {
        await updateFeatureView({
          ctx: admin,
          input: { project: PROJECT, baseVersion: current.version + 1, spec: current.spec },
        });
      }
    } finally {
      await c.close();
    }
  });
});
