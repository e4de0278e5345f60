import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, redisUrlOrSkip, type TestDb } from "../../test/db";
import { PROJECT_ROOT } from "../boot/paths";
import { createRuntime } from "../boot/runtime";
import { createPool } from "../db/client";
import { createSharedRateLimiter, maxLease } from "./shared-rate-limit";

/**
 * API-key limits are shared: two processes hammering one key together get what one would
 * (burst + rate × elapsed), in Postgres and in Redis; a failing store falls back to the process's
 * own buckets and says so once.
 */
let t: TestDb;
const redisUrl = redisUrlOrSkip();
const prefix = `test:${randomBytes(6).toString("hex")}:`;

beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  if (redisUrl) {
    const redis = new Redis(redisUrl);
    const keys = await redis.keys(`rl:${prefix}*`);
    if (keys.length > 0) await redis.unlink(...keys);
    await redis.quit();
  }
  await t?.drop();
});

const BACKENDS = [
  { store: "postgres" as const, redisUrl: undefined, skip: false },
  { store: "redis" as const, redisUrl, skip: !redisUrl },
];

interface Result {
  allowed: number;
  refused: number;
  first: number;
  last: number;
}

/** A child process that takes tokens for `key` once told to go. */
function hammer(cfg: { redisUrl?: string; key: string; rate: number; burst: number }) {
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      // the child loads server modules, which `import "server-only"`
      "--import",
      path.join(PROJECT_ROOT, "bin/hooks/register-server-only.mjs"),
      path.join(PROJECT_ROOT, "test/workers/hammer-rate-limit.ts"),
    ],
    {
      cwd: PROJECT_ROOT,
      env: { ...process.env, HAMMER: JSON.stringify({ databaseUrl: t.url, prefix, ...cfg }) },
    },
  );
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
      if (stdout.startsWith("ready\n")) resolve();
    });
    child.once("exit", () => reject(new Error(`hammer exited before it was ready: ${stderr}`)));
  });
  const done = new Promise<Result & { stderr: string }>((resolve, reject) =>
    child.once("exit", (code) => {
      if (code !== 0) return reject(new Error(`hammer exited with ${code}: ${stderr}`));
      const last = stdout.trim().split("\n").at(-1) ?? "{}";
      resolve({ ...(JSON.parse(last) as Result), stderr });
    }),
  );
  done.catch(() => {});
  return { ready, go: (ms: number) => child.stdin.write(`go ${ms}\n`), done };
}

describe.each(BACKENDS)("shared API-key limits in $store", ({ store, redisUrl: url, skip }) => {
  it.skipIf(skip).each([
    { rate: 20, burst: 10, lease: "no lease" },
    // Postgres grants one token per statement, and one key there does not go past 2,000/s
    ...(store === "redis" ? [{ rate: 2000, burst: 400, lease: "leases of up to 40" }] : []),
  ])(
    "two processes on one key together stay within burst + rate × elapsed ($lease)",
    async ({ rate, burst }) => {
      const key = `api_key:${randomBytes(8).toString("hex")}`;
      const procs = [
        hammer({ redisUrl: url, key, rate, burst }),
        hammer({ redisUrl: url, key, rate, burst }),
      ];
      await Promise.all(procs.map((p) => p.ready));
      for (const p of procs) p.go(1000);
      const results = await Promise.all(procs.map((p) => p.done));
      for (const r of results) expect(r.stderr).toBe("");
      const allowed = results.reduce((n, r) => n + r.allowed, 0);
      const elapsed =
        (Math.max(...results.map((r) => r.last)) - Math.min(...results.map((r) => r.first))) / 1000;
      console.info(
        `${store}: ${allowed} allowed of ${allowed + results.reduce((n, r) => n + r.refused, 0)} in ${elapsed} s (${results.map((r) => r.allowed).join(" + ")})`,
      );
      // both raced: each was refused, and together they got the burst but not a token more than one bucket holds
      for (const r of results) expect(r.refused).toBeGreaterThan(0);
      expect(allowed).toBeGreaterThanOrEqual(burst);
      expect(allowed).toBeLessThanOrEqual(Math.floor(burst + rate * elapsed) + 1);
    },
    60_000,
  );

  it.skipIf(skip)(
    "a busy key leases its tokens: far fewer store calls than takes, never more tokens",
    async () => {
      const pool = createPool(t.url, 2);
      const limiter = createSharedRateLimiter({ rate: 10_000, burst: 2_000, pool, redisUrl: url, prefix });
      try {
        const key = `api_key:${randomBytes(8).toString("hex")}`;
        let allowed = 0;
        // concurrent takes, as a busy server makes them: they share each store call
        for (let round = 0; round < 10; round++) {
          const waits = await Promise.all(Array.from({ length: 100 }, () => limiter.take(key)));
          allowed += waits.filter((w) => w === 0).length;
        }
        expect(allowed).toBe(1000);
        // Postgres grants one token per statement; Redis grants leases of up to 200 here
        if (store === "postgres") expect(limiter.storeCalls).toBe(1000);
        else expect(limiter.storeCalls).toBeLessThan(100);
        // the bucket gave what was spent plus at most the one lease still held (refill only adds)
        const other = createSharedRateLimiter({ rate: 0.001, burst: 2_000, pool, redisUrl: url, prefix });
        try {
          let more = 0;
          while ((await other.take(key)) === 0) more++;
          expect(more).toBeGreaterThanOrEqual(2_000 - 1000 - maxLease(10_000, 2_000));
        } finally {
          await other.close();
        }
      } finally {
        await limiter.close();
        await pool.end();
      }
    },
  );

  it.skipIf(skip)("refuses past the burst with the seconds to wait", async () => {
    const pool = createPool(t.url, 2);
    const limiter = createSharedRateLimiter({
      rate: 0.5,
      burst: 3,
      pool,
      redisUrl: url,
      prefix,
      log: () => {},
    });
    try {
      expect(limiter.store).toBe(store);
      const key = `api_key:${randomBytes(8).toString("hex")}`;
      const waits = [];
      for (let i = 0; i < 5; i++) waits.push(await limiter.take(key));
      // three from the burst; then one token takes 2 s at 0.5 a second
      expect(waits).toEqual([0, 0, 0, 2, 2]);
      expect(await limiter.take(`api_key:${randomBytes(8).toString("hex")}`)).toBe(0);
    } finally {
      await limiter.close();
      await pool.end();
    }
  });
});

describe("when the shared store fails", () => {
  it.each([
    { store: "postgres", pool: "postgres://quiver@127.0.0.1:1/none", redis: undefined },
    { store: "redis", pool: "postgres://quiver@127.0.0.1:1/none", redis: "redis://127.0.0.1:1" },
  ])("$store: limits in this process and says so once", async ({ pool: poolUrl, redis }) => {
    const pool = createPool(poolUrl, 1);
    const lines: string[] = [];
    const limiter = createSharedRateLimiter({
      rate: 1,
      burst: 2,
      pool,
      redisUrl: redis,
      log: (l) => lines.push(l),
    });
    try {
      const waits = [];
      for (let i = 0; i < 3; i++) waits.push(await limiter.take("api_key:k"));
      expect(waits).toEqual([0, 0, 1]);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^rate limits: the store failed; limiting in this process only/);
    } finally {
      await limiter.close();
      await pool.end();
    }
  });
});

describe("the runtime", () => {
  for (const { store, redisUrl: url, skip } of BACKENDS)
    it.skipIf(skip)(`holds API-key limits in ${store}`, async () => {
      const runtime = await createRuntime({ databaseUrl: t.url, redisUrl: url, poolMax: 2 });
      try {
        expect(runtime.apiKeyLimiter.store).toBe(store);
        expect(await runtime.apiKeyLimiter.take(`api_key:${randomBytes(8).toString("hex")}`)).toBe(0);
      } finally {
        await runtime.close();
      }
    });
});
