import { randomBytes } from "node:crypto";
import fc from "fast-check";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDb, redisUrlOrSkip } from "../../test/db";
import { entityKey } from "./entity-key";
import { createOnlineStore } from "./index";
import { createPostgresOnlineStore } from "./postgres-store";
import { connectRedis, createRedisOnlineStore } from "./redis-store";
import type { OnlineRow, OnlineStore } from "./types";

/**
 * One contract, run against both stores. Each test works in its own project, so tests share a
 * store (one database, one Redis prefix per file) without seeing each other's rows.
 */
interface Harness {
  store: OnlineStore;
  /** Network writes (statements / socket writes) made while fn runs. */
  roundTrips(fn: () => Promise<unknown>): Promise<number>;
  cleanup(): Promise<void>;
}

const redisUrl = redisUrlOrSkip();

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

function contract(kind: string, skip: boolean, open: () => Promise<Harness>) {
  describe.skipIf(skip)(`${kind} online store`, () => {
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
      // only the requested features come back
      expect(Object.keys(result[0]?.[0]?.values ?? {}).sort()).toEqual(["x", "z"]);
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
      };
      await store.write(p, "types", [row(1, 1, values)]);
      const [rows] = await store.read(p, [{ featureView: "types", features: Object.keys(values) }], [key(1)]);
      const rec = rows?.[0];
      expect(rec?.values).toEqual(values);
      expect(Buffer.from(String(rec?.values.bytes), "base64")).toEqual(Buffer.from([0, 1, 2, 255]));
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

contract("postgres", false, async () => {
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

contract("redis", !redisUrl, async () => {
  const prefix = `test:${randomBytes(6).toString("hex")}:`;
  const redis = connectRedis(redisUrl ?? "");
  const store = createRedisOnlineStore(redis, { prefix });
  await store.ping();
  return {
    store,
    async roundTrips(fn) {
      // a pipeline goes out in one socket write; count the writes
      const stream = (redis as unknown as { stream: { write: (...a: unknown[]) => boolean } }).stream;
      const spy = vi.spyOn(stream, "write");
      try {
        await fn();
        return spy.mock.calls.length;
      } finally {
        spy.mockRestore();
      }
    },
    async cleanup() {
      await deleteByPrefix(redis, prefix);
      await store.close();
    },
  };
});

async function deleteByPrefix(redis: Redis, prefix: string) {
  for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 1000 }) as AsyncIterable<string[]>)
    if (keys.length > 0) await redis.unlink(...keys);
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

describe("an unreachable Redis", () => {
  it("makes ping, read and write reject fast with a clear error instead of hanging", async () => {
    const store = createRedisOnlineStore(connectRedis("redis://127.0.0.1:1"));
    try {
      for (const call of [
        () => store.ping(),
        () => store.read("p", [{ featureView: "v", features: ["a"] }], [key(1)]),
        () => store.write("p", "v", [row(1, 1, { a: 1 })]),
        () => store.ping(),
      ]) {
        const started = Date.now();
        await expect(call()).rejects.toThrow(/Redis online store unreachable at 127\.0\.0\.1:1/);
        expect(Date.now() - started).toBeLessThan(2000);
      }
    } finally {
      await store.close();
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
