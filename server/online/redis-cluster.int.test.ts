import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDb, type TestDb } from "../../test/db";
import { createSharedRateLimiter } from "../auth/shared-rate-limit";
import { entityKey } from "./entity-key";
import { createOnlineStore } from "./index";
import { connectRedisCluster, masters, whenReady } from "./redis-client";
import { groupByNode, keySlot } from "./redis-cluster";
import { layoutKey, rowKey, viewPattern } from "./redis-keys";
import { createRedisOnlineStore } from "./redis-store";
import { clusterNodesOrSkip, deleteByPrefix } from "./test-redis";
import type { OnlineStore } from "./types";

/**
 * What only a Redis Cluster shows: rows of one request spread over several masters and still read
 * back in one round trip (one pipeline per master, in parallel), deleteView on every master, the
 * slot function against the server's, and the shared rate limiter on the cluster.
 */
const nodes = clusterNodesOrSkip();
const key = (id: number) => entityKey({ driver_id: id });
const at = (s: number) => new Date(Date.UTC(2026, 0, 1) + s * 1000);

type Writable = { write: (...a: unknown[]) => boolean };

describe.skipIf(!nodes)("the online store on a Redis Cluster", () => {
  const prefix = `test:${randomBytes(6).toString("hex")}:`;
  // Connected in beforeAll: a skipped suite's body still runs, and must open nothing.
  let client: ReturnType<typeof connectRedisCluster>;
  let store: OnlineStore;
  beforeAll(async () => {
    client = connectRedisCluster(nodes ?? "", { timeoutMs: 5000 });
    await whenReady(client, () => undefined);
    // the GET-per-key path: a key under the prefix keeps the cluster from looking empty
    await client.set(`${prefix}not-empty`, "1");
    store = createRedisOnlineStore(client, { prefix });
    await store.ping();
  });
  afterAll(async () => {
    await deleteByPrefix(client, prefix);
    await store?.close();
  });

  it("computes slots as the server does", async () => {
    const node = masters(client)[0];
    for (const k of ["foo", "x{}{y}", "é{ü}", `${prefix}q:p:v:{${key(7)}}`, "{a}b", "a{b"])
      expect(keySlot(k)).toBe(Number(await node?.cluster("KEYSLOT", k)));
  });

  it("spreads entities over every master and reads them back in one round trip per master", async () => {
    const ids = Array.from({ length: 60 }, (_, i) => i);
    await store.write(
      "p",
      "stats",
      ids.map((i) => ({ entityKey: key(i), eventTs: at(i), values: { x: i, s: `v${i}` } })),
    );
    await store.write(
      "p",
      "geo",
      ids.map((i) => ({ entityKey: key(i), eventTs: at(i + 1), values: { w: [i] } })),
    );
    // where the keys are: on every master (60 entities over 3 masters)
    const perMaster = await Promise.all(
      masters(client).map(async (m) => {
        let n = 0;
        for await (const ks of m.scanStream({
          match: viewPattern(prefix, "p", "stats"),
          count: 1000,
        }) as AsyncIterable<string[]>)
          n += ks.length;
        return n;
      }),
    );
    expect(perMaster.length).toBeGreaterThanOrEqual(3);
    expect(perMaster.every((n) => n > 0)).toBe(true);
    expect(perMaster.reduce((a, b) => a + b, 0)).toBe(ids.length);
    // one entity's views share a slot (the hash tag is the entity key)
    for (const i of ids.slice(0, 5))
      expect(keySlot(rowKey(prefix, "p", "stats", key(i)))).toBe(keySlot(rowKey(prefix, "p", "geo", key(i))));

    const spies = masters(client).map((m) =>
      vi.spyOn((m as unknown as { stream: Writable }).stream, "write"),
    );
    let result: Awaited<ReturnType<OnlineStore["read"]>> = [];
    try {
      result = await store.read(
        "p",
        [
          { featureView: "stats", features: ["x", "s"] },
          { featureView: "geo", features: ["w"] },
        ],
        ids.map(key),
      );
      // every master got exactly one socket write: one pipeline each, sent side by side
      expect(spies.map((s) => s.mock.calls.length)).toEqual(spies.map(() => 1));
    } finally {
      for (const s of spies) s.mockRestore();
    }
    expect(result[0]).toEqual(ids.map((i) => ({ values: { x: i, s: `v${i}` }, eventTs: at(i) })));
    expect(result[1]).toEqual(ids.map((i) => ({ values: { w: [i] }, eventTs: at(i + 1) })));
    expect(
      groupByNode(
        client,
        ids.map((i) => rowKey(prefix, "p", "stats", key(i))),
      ).length,
    ).toBe(perMaster.length);
  });

  it("deletes a view's keys on every master", async () => {
    const ids = Array.from({ length: 300 }, (_, i) => i);
    const rows = ids.map((i) => ({ entityKey: key(i), eventTs: at(1), values: { a: i } }));
    await store.write("q", "gone", rows);
    await store.write("q", "kept", rows.slice(0, 3));
    const count = async (view: string) =>
      (
        await Promise.all(
          masters(client).map(async (m) => {
            let n = 0;
            for await (const ks of m.scanStream({
              match: viewPattern(prefix, "q", view),
              count: 1000,
            }) as AsyncIterable<string[]>)
              n += ks.length;
            return n;
          }),
        )
      ).filter((n) => n > 0).length;
    expect(await count("gone")).toBe(masters(client).length);
    await store.deleteView("q", "gone");
    expect(await count("gone")).toBe(0);
    const [gone, kept] = await store.read(
      "q",
      [
        { featureView: "gone", features: ["a"] },
        { featureView: "kept", features: ["a"] },
      ],
      [key(0), key(1), key(2)],
    );
    expect(gone).toEqual([null, null, null]);
    expect(kept?.map((r) => r?.values.a)).toEqual([0, 1, 2]);
  });

  it("sets the layout flag at first contact only when every master is empty", async () => {
    // the cluster holds keys (this file's), so a fresh prefix is not marked legacy-free
    const other = `test:${randomBytes(6).toString("hex")}:`;
    const s = createRedisOnlineStore(connectRedisCluster(nodes ?? "", { timeoutMs: 5000 }), {
      prefix: other,
    });
    try {
      await s.ping();
      expect(await client.exists(layoutKey(other))).toBe(0);
    } finally {
      await s.close();
    }
  });
});

describe.skipIf(!nodes)("createOnlineStore and the rate limiter with REDIS_CLUSTER_NODES", () => {
  let t: TestDb;
  let client: ReturnType<typeof connectRedisCluster>;
  beforeAll(async () => {
    t = await createTestDb();
    client = connectRedisCluster(nodes ?? "", { timeoutMs: 5000 });
    await whenReady(client, () => undefined);
  });
  afterAll(async () => {
    await t?.drop();
    await client?.quit();
  });

  it("builds a cluster store from the node list", async () => {
    const prefix = `test:${randomBytes(6).toString("hex")}:`;
    const store = createOnlineStore({
      pool: t.pool,
      redisClusterNodes: (nodes ?? "").split(","),
      redisUrl: "redis://127.0.0.1:1",
      prefix,
    });
    try {
      expect(store.kind).toBe("redis");
      await store.write("p", "v", [{ entityKey: key(1), eventTs: at(1), values: { a: 1 } }]);
      expect(await store.read("p", [{ featureView: "v", features: ["a"] }], [key(1)])).toEqual([
        [{ values: { a: 1 }, eventTs: at(1) }],
      ]);
    } finally {
      await store.close();
      await deleteByPrefix(client, prefix);
    }
  });

  it("shares one bucket across limiters through the cluster", async () => {
    const prefix = `test:${randomBytes(6).toString("hex")}:`;
    const opts = { rate: 0.001, burst: 3, pool: t.pool, redisClusterNodes: (nodes ?? "").split(","), prefix };
    const a = createSharedRateLimiter(opts);
    const b = createSharedRateLimiter(opts);
    const failures: unknown[] = [];
    const log = (_m: string, f: Record<string, unknown>) => failures.push(f);
    const c = createSharedRateLimiter({ ...opts, log });
    try {
      expect(a.store).toBe("redis");
      // three tokens in all, whichever process takes them; the fourth waits
      const waits = [await a.take("k"), await b.take("k"), await c.take("k"), await a.take("k")];
      expect(waits.slice(0, 3)).toEqual([0, 0, 0]);
      expect(waits[3]).toBeGreaterThan(0);
      expect(failures).toEqual([]);
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
      // the buckets expire by themselves; this removes them now
      await deleteByPrefix(client, `rl:${prefix}`);
    }
  });
});
