import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDb, redisUrlOrSkip } from "../../test/db";
import { UnavailableError } from "../core/errors";
import { entityKey } from "./entity-key";
import { createOnlineStore } from "./index";
import { createPostgresOnlineStore } from "./postgres-store";
import { masters, type RedisClient, whenReady } from "./redis-client";
import { featureList, fpHex } from "./redis-codec";
import { featureListKey, layoutKey, rowKey } from "./redis-keys";
import { type MigrateProgress, migrateLegacyOnlineRows } from "./redis-migrate";
import { connectRedis, connectRedisCluster, createRedisOnlineStore } from "./redis-store";
import {
  clusterNodesOrSkip,
  deadPort,
  deleteByPrefix,
  silentServer,
  startOwnRedis,
  waitForClusterState,
  writeLegacyRow,
} from "./test-redis";
import type { OnlineRow, OnlineStore } from "./types";

/**
 * One contract, run against every store: Postgres, a single Redis and a Redis Cluster, each Redis
 * on both read paths (GET per key while legacy hash rows may exist; MGET once the layout flag says
 * none can). Each test works in its own project, so tests share a store (one database, one Redis
 * prefix per harness) without seeing each other's rows.
 */
interface Harness {
  store: OnlineStore;
  /**
   * Sequential round trips made while fn runs: statements for Postgres, socket writes for a single
   * Redis, and for a cluster the most socket writes any one master got (the masters are written
   * to in parallel, so that is the number of round trips the caller waits for).
   */
  roundTrips(fn: () => Promise<unknown>): Promise<number>;
  cleanup(): Promise<void>;
}

const redisUrl = redisUrlOrSkip();
const clusterNodes = clusterNodesOrSkip();
/** Generous in the contract suite (a loaded CI machine must not fail it); the failure tests use short ones. */
const CONTRACT_TIMEOUT_MS = 5000;

const key = (id: number | string) => entityKey({ driver_id: id });
const T0 = Date.UTC(2026, 0, 1);
/** An event time `s` seconds after a fixed instant, with milliseconds so precision is checked. */
const at = (s: number) => new Date(T0 + s * 1000 + 123);
const newProject = () => `p_${randomBytes(5).toString("hex")}`;
const row = (id: number | string, s: number, values: Record<string, unknown>): OnlineRow => ({
  entityKey: key(id),
  eventTs: at(s),
  values,
});

function contract(kind: string, label: string, skip: boolean, open: () => Promise<Harness>) {
  describe.skipIf(skip)(`${label} online store`, () => {
    let h: Harness;
    let store: OnlineStore;
    beforeAll(async () => {
      h = await open();
      store = h.store;
    });
    afterAll(async () => {
      await h?.cleanup();
    });

    it("answers ping", async () => {
      await expect(store.ping()).resolves.toBeUndefined();
      expect(store.kind).toBe(kind);
    });

    it("reads many views for many keys in one round trip, in request and key order", async () => {
      const p = newProject();
      await store.write(p, "stats", [
        row(1, 1, { x: 1, y: "a", z: true }),
        row(2, 2, { x: 2, y: "b", z: false }),
        row(3, 3, { x: 3, y: "c", z: null }),
      ]);
      await store.write(p, "geo", [row(2, 5, { w: [1, 2] }), row(4, 6, { w: [] })]);

      let result: Awaited<ReturnType<OnlineStore["read"]>> = [];
      const trips = await h.roundTrips(async () => {
        result = await store.read(
          p,
          [
            { featureView: "stats", features: ["z", "x"] },
            { featureView: "geo", features: ["w"] },
          ],
          [key(1), key(2), key(3), key(4), key(2)],
        );
      });
      expect(trips).toBe(1);
      expect(result).toEqual([
        [
          { values: { z: true, x: 1 }, eventTs: at(1) },
          { values: { z: false, x: 2 }, eventTs: at(2) },
          { values: { z: null, x: 3 }, eventTs: at(3) },
          null,
          { values: { z: false, x: 2 }, eventTs: at(2) },
        ],
        [
          null,
          { values: { w: [1, 2] }, eventTs: at(5) },
          null,
          { values: { w: [] }, eventTs: at(6) },
          { values: { w: [1, 2] }, eventTs: at(5) },
        ],
      ]);
      // only the requested features come back, as plain objects
      expect(Object.keys(result[0]?.[0]?.values ?? {}).sort()).toEqual(["x", "z"]);
      for (const rec of result.flat())
        if (rec) expect(Object.getPrototypeOf(rec.values)).toBe(Object.prototype);
    });

    it("returns null for a missing key and leaves a feature the row lacks undefined", async () => {
      const p = newProject();
      await store.write(p, "v", [row(1, 1, { a: 1, n: null })]);
      const [rows] = await store.read(
        p,
        [{ featureView: "v", features: ["a", "n", "nope"] }],
        [key(1), key(9)],
      );
      const rec = rows?.[0];
      expect(rec?.values).toEqual({ a: 1, n: null });
      expect(rec?.values.nope).toBeUndefined();
      expect("nope" in (rec?.values ?? {})).toBe(false);
      expect("n" in (rec?.values ?? {})).toBe(true);
      expect(rows?.[1]).toBeNull();
      expect(await store.read(p, [{ featureView: "other", features: ["a"] }], [key(1)])).toEqual([[null]]);
      expect(await store.read(p, [], [key(1)])).toEqual([]);
      expect(await store.read(p, [{ featureView: "v", features: ["a"] }], [])).toEqual([[]]);
    });

    it("skips an older write, and a newer or equal event time replaces the row", async () => {
      const p = newProject();
      const read = async () =>
        (await store.read(p, [{ featureView: "v", features: ["a", "b"] }], [key(1)]))[0]?.[0];

      expect(await store.write(p, "v", [row(1, 10, { a: 1, b: 1 })])).toEqual({ written: 1, skipped: 0 });
      expect(await store.write(p, "v", [row(1, 5, { a: 2, b: 2 })])).toEqual({ written: 0, skipped: 1 });
      expect(await read()).toEqual({ values: { a: 1, b: 1 }, eventTs: at(10) });

      // the newer row replaces the whole row: b, absent from it, is gone
      expect(await store.write(p, "v", [row(1, 20, { a: 3 })])).toEqual({ written: 1, skipped: 0 });
      expect(await read()).toEqual({ values: { a: 3 }, eventTs: at(20) });

      // equal event time: the later write wins
      expect(await store.write(p, "v", [row(1, 20, { a: 4, b: 4 })])).toEqual({ written: 1, skipped: 0 });
      expect(await read()).toEqual({ values: { a: 4, b: 4 }, eventTs: at(20) });

      // a mixed batch counts each row
      expect(await store.write(p, "v", [row(1, 19, { a: 5 }), row(2, 1, { a: 6 })])).toEqual({
        written: 1,
        skipped: 1,
      });
    });

    it("keeps the latest of duplicate keys within one batch (later row wins on ties)", async () => {
      const p = newProject();
      const res = await store.write(p, "v", [
        row(1, 10, { a: "first" }),
        row(1, 20, { a: "newest-early" }),
        row(2, 5, { a: "only" }),
        row(1, 20, { a: "newest-late" }),
        row(1, 15, { a: "older" }),
      ]);
      expect(res).toEqual({ written: 2, skipped: 3 });
      const [rows] = await store.read(p, [{ featureView: "v", features: ["a"] }], [key(1), key(2)]);
      expect(rows).toEqual([
        { values: { a: "newest-late" }, eventTs: at(20) },
        { values: { a: "only" }, eventTs: at(5) },
      ]);
    });

    it("writes and reads a 20k-row batch", async () => {
      const p = newProject();
      const n = 20_000;
      const rows = Array.from({ length: n }, (_, i) => row(i, i % 100, { i, s: `v${i}`, f: i / 8 }));
      expect(await store.write(p, "big", rows)).toEqual({ written: n, skipped: 0 });
      expect(
        await store.write(
          p,
          "big",
          rows.map((r) => ({ ...r, eventTs: at(-1) })),
        ),
      ).toEqual({
        written: 0,
        skipped: n,
      });
      const [back] = await store.read(
        p,
        [{ featureView: "big", features: ["i", "f"] }],
        rows.map((r) => r.entityKey),
      );
      expect(back).toHaveLength(n);
      expect(back?.every((r, i) => r?.values.i === i && r.values.f === i / 8)).toBe(true);
      expect(back?.[12_345]).toEqual({ values: { i: 12_345, f: 12_345 / 8 }, eventTs: at(45) });
    });

    it("round-trips values of every type", async () => {
      const p = newProject();
      const values = {
        int: 42,
        neg: -7,
        big: 9_007_199_254_740_991,
        float: 3.25,
        tenth: 0.1,
        tiny: -2.5e-10,
        huge: 1e21,
        str: 'héllo "quoted" \\ back\nline 🚀 {} : *',
        empty: "",
        yes: true,
        no: false,
        nothing: null,
        ints: [1, 2, 3],
        strs: ["a", "b"],
        floats: [0.5, -1.5],
        none: [],
        withNull: [1, null],
        bytes: Buffer.from([0, 1, 2, 255]).toString("base64"),
        zero: 0,
        // what materialization and push store: int64 beyond 2^53 as decimal strings, times as ISO
        int64: "9223372036854775807",
        int64neg: "-9007199254740993",
        safeInt64: -9_007_199_254_740_991,
        i16: -1234,
        i32: 2_000_000_000,
        beyondI32: 4_294_967_296,
        f32exact: 0.375,
        when: "2026-01-01T00:00:00.123Z",
        times: ["2026-01-01T00:00:00Z", null],
        int64s: ["18446744073709551615", 1],
        longStr: "x".repeat(300),
        unicodeShort: "日本",
        nested: [[1, "a"], [], [true]],
        manyInts: Array.from({ length: 300 }, (_, i) => i - 150),
      };
      await store.write(p, "types", [row(1, 1, values)]);
      const [rows] = await store.read(p, [{ featureView: "types", features: Object.keys(values) }], [key(1)]);
      const rec = rows?.[0];
      expect(rec?.values).toEqual(values);
      expect(Buffer.from(String(rec?.values.bytes), "base64")).toEqual(Buffer.from([0, 1, 2, 255]));
    });

    it("reads a row written under an older feature list by name, and absent as not found", async () => {
      const p = newProject();
      // version 1 of the view had a, b, c; version 2 dropped b and added d, in another order
      await store.write(p, "v", [row(1, 1, { a: 1, b: "one", c: true })]);
      await store.write(p, "v", [row(2, 2, { d: [2], c: false, a: 2 })]);
      const [rows] = await store.read(
        p,
        [{ featureView: "v", features: ["c", "d", "a", "b"] }],
        [key(1), key(2)],
      );
      expect(rows).toEqual([
        { values: { c: true, a: 1, b: "one" }, eventTs: at(1) },
        { values: { c: false, d: [2], a: 2 }, eventTs: at(2) },
      ]);
      // undefined in a written row is "absent", as JSON of the whole row would make it
      await store.write(p, "v", [row(3, 3, { a: undefined, c: null })]);
      const [[r3]] = (await store.read(p, [{ featureView: "v", features: ["a", "c"] }], [key(3)])) as [
        [{ values: Record<string, unknown> } | null],
      ];
      expect(r3?.values).toEqual({ c: null });
      expect("a" in (r3?.values ?? {})).toBe(false);
    });

    it("keeps projects apart", async () => {
      const p1 = newProject();
      const p2 = newProject();
      await store.write(p1, "v", [row(1, 1, { a: "p1" })]);
      await store.write(p2, "v", [row(1, 1, { a: "p2" })]);
      // an older write in p2 is not compared against p1's row
      expect(await store.write(p2, "v", [row(2, 0, { a: "p2-2" })])).toEqual({ written: 1, skipped: 0 });
      const req = [{ featureView: "v", features: ["a"] }];
      expect((await store.read(p1, req, [key(1), key(2)]))[0]).toEqual([
        { values: { a: "p1" }, eventTs: at(1) },
        null,
      ]);
      expect((await store.read(p2, req, [key(1)]))[0]?.[0]?.values).toEqual({ a: "p2" });
    });

    it("deletes one view of one project", async () => {
      const p = newProject();
      const other = newProject();
      const many = Array.from({ length: 2500 }, (_, i) => row(i, 1, { a: i }));
      await store.write(p, "gone", many);
      await store.write(p, "kept", [row(1, 1, { a: "kept" })]);
      await store.write(p, "gone_too_not", [row(1, 1, { a: "prefix-sibling" })]);
      await store.write(other, "gone", [row(1, 1, { a: "other project" })]);

      await store.deleteView(p, "gone");
      await store.deleteView(p, "never_written");

      const [gone, kept, sibling] = await store.read(
        p,
        [
          { featureView: "gone", features: ["a"] },
          { featureView: "kept", features: ["a"] },
          { featureView: "gone_too_not", features: ["a"] },
        ],
        many.map((r) => r.entityKey),
      );
      expect(gone?.every((r) => r === null)).toBe(true);
      expect(kept?.[1]?.values).toEqual({ a: "kept" });
      expect(sibling?.[1]?.values).toEqual({ a: "prefix-sibling" });
      expect(
        (await store.read(other, [{ featureView: "gone", features: ["a"] }], [key(1)]))[0]?.[0]?.values,
      ).toEqual({ a: "other project" });
    });

    it("ends with, per key, the write of greatest event time (last among equals), however batched", async () => {
      const value = fc.oneof(
        fc.integer(),
        fc.string({ maxLength: 8 }),
        fc.boolean(),
        fc.constant(null),
        fc.array(fc.integer({ min: -5, max: 5 }), { maxLength: 3 }),
      );
      const write = fc.record({
        id: fc.integer({ min: 0, max: 4 }),
        s: fc.integer({ min: 0, max: 5 }),
        v: value,
      });
      await fc.assert(
        fc.asyncProperty(
          fc.array(write, { minLength: 1, maxLength: 30 }),
          fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 30 }),
          async (writes, sizes) => {
            const p = newProject();
            const batches: (typeof writes)[] = [];
            for (let i = 0, b = 0; i < writes.length; b++) {
              const size = sizes[b % sizes.length] ?? 1;
              batches.push(writes.slice(i, i + size));
              i += size;
            }
            // counts: replay batch by batch (within a batch the latest row per key, then the rule)
            const stored = new Map<number, number>();
            for (const batch of batches) {
              const latest = new Map<number, number>();
              for (const w of batch) if ((latest.get(w.id) ?? -1) <= w.s) latest.set(w.id, w.s);
              let written = 0;
              for (const [id, s] of latest) {
                if ((stored.get(id) ?? -1) <= s) {
                  stored.set(id, s);
                  written++;
                }
              }
              const res = await store.write(
                p,
                "v",
                batch.map((w) => row(w.id, w.s, { f: w.v })),
              );
              expect(res).toEqual({ written, skipped: batch.length - written });
            }
            // final state, from the whole sequence at once: greatest time, last among equals
            const expected = new Map<number, (typeof writes)[number]>();
            for (const w of writes) if ((expected.get(w.id)?.s ?? -1) <= w.s) expected.set(w.id, w);
            const ids = [0, 1, 2, 3, 4];
            const [rows] = await store.read(p, [{ featureView: "v", features: ["f"] }], ids.map(key));
            for (const id of ids) {
              const w = expected.get(id);
              expect(rows?.[id]).toEqual(w ? { values: { f: w.v }, eventTs: at(w.s) } : null);
            }
          },
        ),
        { numRuns: 60 },
      );
    });
  });
}

contract("postgres", "postgres", false, async () => {
  const t = await createTestDb();
  return {
    store: createPostgresOnlineStore(t.pool),
    async roundTrips(fn) {
      const spy = vi.spyOn(t.pool, "query");
      try {
        await fn();
        return spy.mock.calls.length;
      } finally {
        spy.mockRestore();
      }
    },
    cleanup: () => t.drop(),
  };
});

type Topology = "single" | "cluster";

function openRedis(topology: Topology, timeoutMs = CONTRACT_TIMEOUT_MS): RedisClient {
  return topology === "single"
    ? connectRedis(redisUrl ?? "", { timeoutMs })
    : connectRedisCluster(clusterNodes ?? "", { timeoutMs });
}

/** Counts socket writes per master while fn runs; returns the largest count. */
async function writesPerMaster(client: RedisClient, fn: () => Promise<unknown>): Promise<number[]> {
  type Writable = { write: (...a: unknown[]) => boolean };
  const spies = masters(client).map((m) => vi.spyOn((m as unknown as { stream: Writable }).stream, "write"));
  try {
    await fn();
    return spies.map((s) => s.mock.calls.length);
  } finally {
    for (const s of spies) s.mockRestore();
  }
}

/**
 * A Redis store under a fresh prefix. `legacyFree`: the prefix's layout flag is set first (as the
 * migration sets it), so reads are MGETs; else a key under the prefix keeps the Redis from
 * looking empty, so the store reads with a GET per key, as while legacy rows may exist.
 */
async function openRedisHarness(topology: Topology, legacyFree: boolean) {
  const prefix = `test:${randomBytes(6).toString("hex")}:`;
  const client = openRedis(topology);
  await whenReady(client, () => undefined);
  await client.set(legacyFree ? layoutKey(prefix) : `${prefix}not-empty`, "2");
  const store = createRedisOnlineStore(client, { prefix });
  await store.ping();
  return {
    prefix,
    client,
    store,
    async roundTrips(fn: () => Promise<unknown>) {
      return Math.max(...(await writesPerMaster(client, fn)));
    },
    async cleanup() {
      await deleteByPrefix(client, prefix);
      await store.close();
    },
  };
}

for (const topology of ["single", "cluster"] as const) {
  const skip = topology === "single" ? !redisUrl : !clusterNodes;
  const name = topology === "single" ? "redis" : "redis cluster";
  contract("redis", `${name} (GET per key)`, skip, () => openRedisHarness(topology, false));
  contract("redis", `${name} (MGET, legacy-free)`, skip, () => openRedisHarness(topology, true));
}

describe.skipIf(!redisUrl)("a Redis store on a fresh client", () => {
  it("lets calls made while the connection opens wait for it instead of failing", async () => {
    const prefix = `test:${randomBytes(6).toString("hex")}:`;
    const redis = connectRedis(redisUrl ?? "");
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on("warning", onWarning);
    const store = createRedisOnlineStore(redis, { prefix });
    try {
      expect(redis.status).not.toBe("ready");
      const reads = Array.from({ length: 30 }, () =>
        store.read("p", [{ featureView: "v", features: ["a"] }], [key(1)]),
      );
      expect(await Promise.all(reads)).toEqual(reads.map(() => [[null]]));
      expect(warnings).toEqual([]);
    } finally {
      process.off("warning", onWarning);
      await store.close();
    }
  });
});

/** The values of the layout tests: ten features, a third strings, the rest numbers. */
const tenValues = (i: number) =>
  Object.fromEntries(
    Array.from({ length: 10 }, (_, j) => [`f${j}`, j % 3 === 0 ? `s${i}_${j}` : (i * j) / 7]),
  );

for (const topology of ["single", "cluster"] as const) {
  const skip = topology === "single" ? !redisUrl : !clusterNodes;
  describe.skipIf(skip)(`the Redis row layout (${topology})`, () => {
    let h: Awaited<ReturnType<typeof openRedisHarness>>;
    beforeAll(async () => {
      h = await openRedisHarness(topology, false);
    });
    afterAll(async () => {
      await h?.cleanup();
    });

    it("stores one string per row, smaller than the legacy hash of the same row", async () => {
      const p = newProject();
      await h.store.write(p, "v", [row(1, 1, tenValues(1))]);
      const legacyKey = await writeLegacyRow(h.client, h.prefix, p, "legacy", key(1), at(1), tenValues(1));
      const newKey = rowKey(h.prefix, p, "v", key(1));
      expect(await h.client.type(newKey)).toBe("string");
      const [newBytes, oldBytes] = await Promise.all(
        [newKey, legacyKey].map(async (k) =>
          Number(await h.client.call("MEMORY", "USAGE", k, "SAMPLES", "0")),
        ),
      );
      // measured in the ADR: about 224 vs 330 bytes for this row (key included)
      expect(newBytes).toBeLessThan((oldBytes ?? 0) * 0.8);
    });

    it("reads legacy hash rows beside new rows, and writes replace them by the same rule", async () => {
      const p = newProject();
      await writeLegacyRow(h.client, h.prefix, p, "v", key(1), at(10), { a: 1, b: "legacy", n: null });
      await writeLegacyRow(h.client, h.prefix, p, "v", key(2), at(10), { a: 2, b: [1, 2] });
      await h.store.write(p, "v", [row(3, 10, { a: 3, b: "new" })]);
      const read = (ids: number[]) =>
        h.store.read(p, [{ featureView: "v", features: ["a", "b", "n"] }], ids.map(key));

      let mixed: Awaited<ReturnType<OnlineStore["read"]>> = [];
      // legacy rows cost a second round trip, for those keys only
      expect(await h.roundTrips(async () => (mixed = await read([1, 2, 3, 4])))).toBe(2);
      expect(mixed).toEqual([
        [
          { values: { a: 1, b: "legacy", n: null }, eventTs: at(10) },
          { values: { a: 2, b: [1, 2] }, eventTs: at(10) },
          { values: { a: 3, b: "new" }, eventTs: at(10) },
          null,
        ],
      ]);
      expect(await h.roundTrips(() => read([3, 4]))).toBe(1);

      // older than the legacy row: skipped, the hash stays
      expect(await h.store.write(p, "v", [row(1, 5, { a: -1 })])).toEqual({ written: 0, skipped: 1 });
      expect(await h.client.type(rowKey(h.prefix, p, "v", key(1)))).toBe("hash");
      // equal (key 2) and newer (key 1): written, the hash replaced by a string holding only the new row
      expect(await h.store.write(p, "v", [row(1, 20, { a: 10 }), row(2, 10, { b: "eq" })])).toEqual({
        written: 2,
        skipped: 0,
      });
      for (const id of [1, 2]) expect(await h.client.type(rowKey(h.prefix, p, "v", key(id)))).toBe("string");
      expect(await read([1, 2])).toEqual([
        [
          { values: { a: 10 }, eventTs: at(20) },
          { values: { b: "eq" }, eventTs: at(10) },
        ],
      ]);
    });

    it("reads rows whose feature list this process never wrote, and refuses rows whose list is lost", async () => {
      const p = newProject();
      const names = { zeta: 1, alpha: "a", [`only_${p}`]: true };
      await h.store.write(p, "v", [row(1, 1, names)]);
      const other = createRedisOnlineStore(openRedis(topology), { prefix: h.prefix });
      try {
        expect(
          await other.read(p, [{ featureView: "v", features: ["alpha", `only_${p}`] }], [key(1)]),
        ).toEqual([[{ values: { alpha: "a", [`only_${p}`]: true }, eventTs: at(1) }]]);
        // a list whose names are gone cannot be decoded by name: an error, never a wrong value
        await h.store.write(p, "w", [row(1, 1, { [`lost_${p}`]: 1 })]);
        const listKey = featureListKey(h.prefix, fpHex(featureList([`lost_${p}`]).fp));
        expect(await h.client.get(listKey)).toBe(JSON.stringify([`lost_${p}`]));
        await h.client.del(listKey);
        const third = createRedisOnlineStore(openRedis(topology), { prefix: h.prefix });
        try {
          await expect(
            third.read(p, [{ featureView: "w", features: [`lost_${p}`] }], [key(1)]),
          ).rejects.toThrow(/feature list [0-9a-f]{12}, whose names .* are missing/);
        } finally {
          await third.close();
        }
      } finally {
        await other.close();
      }
    });
  });

  describe.skipIf(skip)(`migrating legacy rows (${topology})`, () => {
    it("rewrites every legacy row of its prefix, resumably, then reads by MGET", async () => {
      const prefix = `test:${randomBytes(6).toString("hex")}:`;
      const otherPrefix = `test:${randomBytes(6).toString("hex")}:`;
      const client = openRedis(topology);
      await whenReady(client, () => undefined);
      try {
        const p = newProject();
        const ids = Array.from({ length: 40 }, (_, i) => i);
        for (const i of ids)
          await writeLegacyRow(client, prefix, p, i % 2 ? "odd" : "even", key(i), at(i), {
            ...tenValues(i),
            ...(i % 5 === 0 ? { extra: [i, null] } : {}),
          });
        const untouched = await writeLegacyRow(client, otherPrefix, p, "odd", key(1), at(1), { a: 1 });
        const expected = async (store: OnlineStore) =>
          store.read(
            p,
            ["even", "odd"].map((v) => ({ featureView: v, features: ["f0", "f1", "extra"] })),
            ids.map(key),
          );
        const before = await expected(createRedisOnlineStore(openRedis(topology), { prefix }));
        expect(before[0]?.[0]).toEqual({ values: { f0: "s0_0", f1: 0, extra: [0, null] }, eventTs: at(0) });

        // interrupted after its first step...
        let last: MigrateProgress | undefined;
        await expect(
          migrateLegacyOnlineRows(client, {
            prefix,
            count: 5,
            onProgress: (pr) => {
              last = pr;
              throw new Error("interrupted");
            },
          }),
        ).rejects.toThrow("interrupted");
        const firstRun = last?.converted ?? 0;
        expect(await client.exists(layoutKey(prefix))).toBe(0);
        // ...and resumed from its cursors
        const done = await migrateLegacyOnlineRows(client, { prefix, count: 5, resume: last?.cursors });
        expect(done.done).toBe(true);
        expect(firstRun + done.converted).toBe(ids.length);
        expect(done.leftBehind).toBe(0);
        expect(await client.get(layoutKey(prefix))).toBe("2");
        for (const i of ids)
          expect(await client.type(rowKey(prefix, p, i % 2 ? "odd" : "even", key(i)))).toBe("string");
        expect(await client.type(untouched)).toBe("hash");
        // a second run finds nothing to do
        expect((await migrateLegacyOnlineRows(client, { prefix })).converted).toBe(0);

        // a store opened now reads the same rows, with MGET
        const afterClient = openRedis(topology);
        const after = createRedisOnlineStore(afterClient, { prefix });
        try {
          await after.ping();
          const sent = await wire(afterClient, async () => expect(await expected(after)).toEqual(before));
          expect(sent).toMatch(/\bmget\b/i);
          // no GET per row key (the one GET is of the feature list's names, new to this process)
          expect(sent).not.toMatch(/\r\nget\r\n\$\d+\r\n[^\r]*:q:/i);
        } finally {
          await after.close();
        }
      } finally {
        await deleteByPrefix(client, prefix);
        await deleteByPrefix(client, otherPrefix);
        await client.quit();
      }
    });
  });
}

/** What fn sends to Redis, as text (every master's socket). */
async function wire(client: RedisClient, fn: () => Promise<unknown>): Promise<string> {
  type Writable = { write: (...a: unknown[]) => boolean };
  const spies = masters(client).map((m) => vi.spyOn((m as unknown as { stream: Writable }).stream, "write"));
  try {
    await fn();
    return spies.flatMap((s) => s.mock.calls.map((c) => String(c[0]))).join("");
  } finally {
    for (const s of spies) s.mockRestore();
  }
}

describe("a failing Redis", () => {
  const T = 300;
  /** Every call fails with UnavailableError naming the online store, within the timeout (and some slack). */
  async function expectFastFailures(store: OnlineStore) {
    for (const call of [
      () => store.ping(),
      () => store.read("p", [{ featureView: "v", features: ["a"] }], [key(1)]),
      () => store.write("p", "v", [row(1, 1, { a: 1 })]),
      () => store.ping(),
    ]) {
      const started = Date.now();
      const err = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      const took = Date.now() - started;
      expect(err).toBeInstanceOf(UnavailableError);
      expect(String((err as Error).message)).toMatch(/Redis online store/);
      expect(took).toBeLessThan(T + 400);
    }
  }

  it("on a port nobody listens on: every call fails at once (single Redis and cluster)", async () => {
    const port = await deadPort();
    for (const store of [
      createRedisOnlineStore(connectRedis(`redis://127.0.0.1:${port}`, { timeoutMs: T })),
      createRedisOnlineStore(connectRedisCluster(`127.0.0.1:${port}`, { timeoutMs: T })),
    ]) {
      try {
        await expectFastFailures(store);
      } finally {
        await store.close();
      }
    }
  });

  it("keeps the old message for a refused connection", async () => {
    const store = createRedisOnlineStore(connectRedis("redis://127.0.0.1:1"));
    try {
      await expect(store.read("p", [{ featureView: "v", features: ["a"] }], [key(1)])).rejects.toThrow(
        /Redis online store unreachable at 127\.0\.0\.1:1/,
      );
    } finally {
      await store.close();
    }
  });

  it("on a server that accepts and never answers: every call fails within the timeout", async () => {
    const server = await silentServer();
    try {
      for (const store of [
        createRedisOnlineStore(connectRedis(`redis://127.0.0.1:${server.port}`, { timeoutMs: T })),
        createRedisOnlineStore(connectRedisCluster(`127.0.0.1:${server.port}`, { timeoutMs: T })),
      ]) {
        try {
          await expectFastFailures(store);
        } finally {
          await store.close();
        }
      }
    } finally {
      await server.close();
    }
  });

  it("when Redis is killed: calls fail at once; when it stops answering: within the timeout, and recover", async () => {
    const own = await startOwnRedis();
    const store = createRedisOnlineStore(connectRedis(own.url, { timeoutMs: T }), { prefix: "t:" });
    try {
      await store.write("p", "v", [row(1, 1, { a: 1 })]);
      const read = () => store.read("p", [{ featureView: "v", features: ["a"] }], [key(1)]);
      expect(await read()).toEqual([[{ values: { a: 1 }, eventTs: at(1) }]]);

      // frozen (SIGSTOP): the connection stays open, nothing answers
      own.process.kill("SIGSTOP");
      await expectFastFailures(store);
      own.process.kill("SIGCONT");
      expect(await read()).toEqual([[{ values: { a: 1 }, eventTs: at(1) }]]);

      // killed: the connection drops
      await own.kill();
      await expectFastFailures(store);
    } finally {
      await store.close();
      await own.stop();
    }
  });

  it("on a cluster that goes down (CLUSTERDOWN): calls fail within the timeout", async () => {
    const own = await startOwnRedis({ cluster: true });
    const admin = connectRedis(own.url);
    let store: OnlineStore | undefined;
    try {
      await whenReady(admin, () => undefined);
      await admin.cluster("ADDSLOTSRANGE", 0, 16383);
      await waitForClusterState(own.port, "ok");
      store = createRedisOnlineStore(connectRedisCluster(`127.0.0.1:${own.port}`, { timeoutMs: T }));
      await store.write("p", "v", [row(1, 1, { a: 1 })]);
      expect(await store.read("p", [{ featureView: "v", features: ["a"] }], [key(1)])).toEqual([
        [{ values: { a: 1 }, eventTs: at(1) }],
      ]);
      await admin.cluster("DELSLOTSRANGE", 0, 16383);
      await waitForClusterState(own.port, "fail");
      await expectFastFailures(store);
    } finally {
      await store?.close();
      await admin.quit().catch(() => admin.disconnect());
      await own.stop();
    }
  });
});

describe("createOnlineStore", () => {
  it("picks Redis when a URL is set, else Postgres", async () => {
    const t = await createTestDb();
    try {
      const pgStore = createOnlineStore({ pool: t.pool });
      expect(pgStore.kind).toBe("postgres");
      await pgStore.ping();
      const redisStore = createOnlineStore({ pool: t.pool, redisUrl: "redis://127.0.0.1:1" });
      expect(redisStore.kind).toBe("redis");
      await redisStore.close();
    } finally {
      await t.drop();
    }
  });
});
