import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../../server/boot/paths";
import { connectRedis, connectRedisCluster, createRedisOnlineStore } from "../../../server/online";
import { type RedisClient, whenReady } from "../../../server/online/redis-client";
import { clusterNodesOrSkip, deleteByPrefix } from "../../../server/online/test-redis";
import type { OnlineRecord, OnlineStore } from "../../../server/online/types";
import { redisUrlOrSkip } from "../../../test/db";

/**
 * `quiver online migrate` as a real subprocess, on a single Redis and on the Redis Cluster, each
 * under a key prefix of the test's own: legacy hashes written by hand (ADR 0003's layout: `_ts` in
 * µs, JSON per feature) become strings that read back the same through the store, and a second
 * run finds nothing to convert.
 */

const redisUrl = redisUrlOrSkip();
const clusterNodes = clusterNodesOrSkip();
const PROJECT = "fleet";
/** Each process compiles the CLI's TypeScript on start: slow on a busy 2-core CI machine. */
const RUN_MS = 90_000;

/** The legacy rows, by hand: the hash fields as ADR 0003 stored them, and what a lookup reads. */
const LEGACY: {
  view: string;
  entity: string;
  hash: Record<string, string>;
  features: string[];
  reads: OnlineRecord;
}[] = [
  {
    view: "driver_stats",
    entity: '[["driver_id","1001"]]',
    hash: { _ts: "1767225600000000", conv_rate: "0.71", trips: "12", name: '"Ann"', note: "null" },
    features: ["conv_rate", "trips", "name", "note", "never_written"],
    reads: {
      values: { conv_rate: 0.71, trips: 12, name: "Ann", note: null },
      eventTs: new Date("2026-01-01T00:00:00.000Z"),
    },
  },
  {
    view: "driver_stats",
    entity: '[["driver_id","1002"]]',
    hash: { _ts: "1767225600123000", conv_rate: "-1.5e-7", trips: "-40000", name: '"Zoë \\"Z\\""' },
    features: ["conv_rate", "trips", "name"],
    reads: {
      values: { conv_rate: -1.5e-7, trips: -40000, name: 'Zoë "Z"' },
      eventTs: new Date("2026-01-01T00:00:00.123Z"),
    },
  },
  {
    view: "driver_tags",
    entity: '[["driver_id","1001"]]',
    hash: {
      _ts: "1700000000000000",
      tags: '["night",3,null]',
      active: "true",
      meta: '{"city":"Oslo","zones":[1,2]}',
      big_id: '"9007199254740993"',
    },
    features: ["tags", "active", "meta", "big_id"],
    reads: {
      values: {
        tags: ["night", 3, null],
        active: true,
        meta: { city: "Oslo", zones: [1, 2] },
        big_id: "9007199254740993",
      },
      eventTs: new Date("2023-11-14T22:13:20.000Z"),
    },
  },
  {
    view: "rider_stats",
    entity: '[["rider_id","r-7"],["zone","n"]]',
    hash: { _ts: "1767225600000001", rating: "4.5" },
    features: ["rating"],
    // a Date holds whole milliseconds: the microsecond is dropped, as the legacy reader did
    reads: { values: { rating: 4.5 }, eventTs: new Date("2026-01-01T00:00:00.000Z") },
  },
];

const legacyKey = (prefix: string, view: string, entity: string) =>
  `${prefix}q:${PROJECT}:${view}:{${entity}}`;

for (const topology of ["single", "cluster"] as const) {
  const skip = topology === "single" ? !redisUrl : !clusterNodes;
  const runEnv =
    topology === "single"
      ? { REDIS_URL: redisUrl, REDIS_CLUSTER_NODES: undefined }
      : { REDIS_URL: undefined, REDIS_CLUSTER_NODES: clusterNodes };
  const open = (): RedisClient =>
    topology === "single" ? connectRedis(redisUrl ?? "") : connectRedisCluster(clusterNodes ?? "");

  describe.skipIf(skip)(`quiver online migrate (${topology})`, () => {
    it(
      "rewrites the legacy hashes of its prefix to strings that read the same, and then finds none",
      async () => {
        const prefix = `test:cli-online:${randomBytes(6).toString("hex")}:`;
        const otherPrefix = `test:cli-online:${randomBytes(6).toString("hex")}:`;
        const client = open();
        await whenReady(client, () => undefined);
        const stores: OnlineStore[] = [];
        const store = () => {
          const s = createRedisOnlineStore(open(), { prefix });
          stores.push(s);
          return s;
        };
        const readAll = (s: OnlineStore) =>
          Promise.all(
            LEGACY.map(
              async (r) =>
                (await s.read(PROJECT, [{ featureView: r.view, features: r.features }], [r.entity]))[0]?.[0],
            ),
          );
        try {
          for (const r of LEGACY) await client.hset(legacyKey(prefix, r.view, r.entity), r.hash);
          // a hash that is no row (no _ts): reported and left alone
          const notARow = legacyKey(prefix, "driver_stats", '[["driver_id","9"]]');
          await client.hset(notARow, { conv_rate: "1" });
          // a row already in the new layout, and a legacy row under another prefix: untouched
          const before = store();
          await before.write(PROJECT, "driver_stats", [
            {
              entityKey: '[["driver_id","1003"]]',
              values: { trips: 3 },
              eventTs: new Date("2026-02-01T00:00:00Z"),
            },
          ]);
          const fresh = legacyKey(prefix, "driver_stats", '[["driver_id","1003"]]');
          const freshBytes = await client.getBuffer(fresh);
          const elsewhere = legacyKey(otherPrefix, "driver_stats", '[["driver_id","1001"]]');
          await client.hset(elsewhere, LEGACY[0]?.hash ?? {});

          // the store reads the legacy rows before the migration (a GET per key, then HMGET)
          expect(await readAll(before)).toEqual(LEGACY.map((r) => r.reads));

          const first = await quiver(["online", "migrate", "--prefix", prefix, "--count", "2"], runEnv);
          expect(first.code, first.output).toBe(0);
          expect(first.stdout).toContain(
            `[quiver] done: scanned 5 legacy rows, converted 4, left behind 0\n`,
          );
          expect(first.stdout).toContain("1 hashes under the prefix are no row");
          expect(first.stdout).toContain("no legacy row is left: lookups now read with one MGET");
          if (topology === "cluster")
            for (const node of (clusterNodes ?? "").split(","))
              expect(first.stdout).toContain(`(${node} scanned to the end)`);

          for (const r of LEGACY)
            expect(await client.type(legacyKey(prefix, r.view, r.entity))).toBe("string");
          expect(await client.type(notARow)).toBe("hash");
          expect(await client.type(elsewhere)).toBe("hash");
          expect(await client.getBuffer(fresh)).toEqual(freshBytes);
          expect(await client.get(`${prefix}qf:layout`)).toBe("2");
          // a store opened now (MGET: the layout flag is set) reads the same values
          const after = store();
          expect(await readAll(after)).toEqual(LEGACY.map((r) => r.reads));
          expect(
            await after.read(
              PROJECT,
              [{ featureView: "driver_stats", features: ["trips"] }],
              ['[["driver_id","1003"]]'],
            ),
          ).toEqual([[{ values: { trips: 3 }, eventTs: new Date("2026-02-01T00:00:00Z") }]]);

          const second = await quiver(["online", "migrate", "--prefix", prefix], runEnv);
          expect(second.code, second.output).toBe(0);
          expect(second.stdout).toContain(
            `[quiver] done: scanned 1 legacy rows, converted 0, left behind 0\n`,
          );
        } finally {
          await Promise.all(stores.map((s) => s.close()));
          await deleteByPrefix(client, prefix);
          await deleteByPrefix(client, otherPrefix);
          await client.quit();
        }
      },
      2 * RUN_MS,
    );
  });
}

describe("quiver online migrate without Redis", () => {
  it(
    "refuses with exit code 2 when the online store is the Postgres table",
    async () => {
      const run = await quiver(["online", "migrate"], {
        REDIS_URL: undefined,
        REDIS_CLUSTER_NODES: undefined,
      });
      expect(run.code, run.output).toBe(2);
      expect(run.stderr).toContain(
        "quiver online: the online store is the Postgres table (neither REDIS_CLUSTER_NODES nor REDIS_URL is set)",
      );
    },
    RUN_MS,
  );
});

/** Runs bin/quiver.js with the test's environment changed by `over` (undefined: unset). */
function quiver(
  args: string[],
  over: Record<string, string | undefined>,
): Promise<{ code: number | null; stdout: string; stderr: string; output: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, "bin/quiver.js"), ...args], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`quiver ${args.join(" ")} did not exit within ${RUN_MS} ms\n${stdout}${stderr}`));
    }, RUN_MS);
    // "close": the process has exited and its output is read to the end
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, output: `stdout:\n${stdout}\nstderr:\n${stderr}` });
    });
  });
}
