import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { inject } from "vitest";
import { PROJECT_ROOT } from "../../server/boot/paths";
import type { Ctx } from "../../server/core/context";
import { createPool } from "../../server/db/client";
import { connectRedis, createRedisOnlineStore } from "../../server/online/redis-store";
import { createTestDb, redisUrlOrSkip, type TestDb, testCtx } from "../db";
import { dropRoles } from "../global-setup";
import { seedServing } from "./serving";

/**
 * The real `quiver serve` (bin/quiver.js) as a child process, for the feature server's tests: it
 * is ready when it logs its "listening on http://127.0.0.1:PORT" line, never after a fixed wait.
 * Log lines are pino's JSON (QUIVER_LOG_LEVEL=info).
 */

export interface LogLine {
  level: string;
  msg: string;
  pid: number;
  [field: string]: unknown;
}

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  url: string;
  /** Every JSON log line so far, in order. */
  lines: LogLine[];
  /** Resolves with the first line (from `from` on) that `match` accepts; rejects on exit or after `ms`. */
  waitForLine(match: (line: LogLine) => boolean, ms?: number, from?: number): Promise<LogLine>;
  /** Resolves once the process has exited, with its code and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends the signal (SIGTERM unless said) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Generous: a busy 2-core CI machine compiles the TypeScript of each process on start. */
const START_MS = 90_000;

/** A prefix for the server's offline roles that the run's global teardown sweeps (test/global-setup.ts). */
function testRolePrefix(): string {
  return `qt${inject("pgTemplate").replace("quiver_tpl_", "")}_f${randomBytes(3).toString("hex")}`;
}

/**
 * What a feature-server test file stands on: a test database with the serving registry
 * (seedServing), a context whose online store is Redis database `redisDb` (a database of the
 * file's own, emptied before and after: a server's online store has no key prefix), and the
 * environment of a server on them, each call with offline roles of its own (dropped by close()).
 */
export interface ServingFixture {
  t: TestDb;
  ctx: Ctx;
  redisUrl: string;
  serverEnv(over?: Record<string, string | undefined>): Record<string, string | undefined>;
  close(): Promise<void>;
}

export async function openServingFixture(redisDb: number): Promise<ServingFixture> {
  const base = redisUrlOrSkip();
  if (!base) throw new Error("feature-server tests need REDIS_URL (a Redis online store)");
  const u = new URL(base);
  u.pathname = `/${redisDb}`;
  const redisUrl = u.toString();
  const redis = new Redis(redisUrl);
  await redis.flushdb();
  const t = await createTestDb();
  const ctx = testCtx(t, { online: createRedisOnlineStore(connectRedis(redisUrl)) });
  await seedServing(ctx, t);
  const prefixes: string[] = [];
  return {
    t,
    ctx,
    redisUrl,
    serverEnv(over = {}) {
      const prefix = testRolePrefix();
      prefixes.push(prefix);
      return {
        DATABASE_URL: t.url,
        REDIS_URL: redisUrl,
        // CI exports a Redis Cluster for the online-store suite; these servers use redisUrl.
        REDIS_CLUSTER_NODES: undefined,
        QUIVER_OFFLINE_ROLE_PREFIX: prefix,
        ...over,
      };
    },
    async close() {
      await ctx.online.close();
      await redis.flushdb();
      await redis.quit();
      await t.drop();
      // Roles are dropped once the databases they hold grants in are gone.
      const admin = createPool(withDatabase(t.url, "postgres"), 1);
      for (const prefix of prefixes) await dropRoles(admin, prefix);
      await admin.end();
    },
  };
}

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

export async function spawnFeatureServer(opts: {
  env: Record<string, string | undefined>;
  args?: string[];
}): Promise<ServerProcess> {
  const child = spawn(
    process.execPath,
    [path.join(PROJECT_ROOT, "bin/quiver.js"), "serve", "--port", "0", ...(opts.args ?? [])],
    {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        QUIVER_LOG_LEVEL: "info",
        QUIVER_HOME: path.join(os.tmpdir(), `quiver-fs-${randomBytes(4).toString("hex")}`),
        QUIVER_AUTH_SECRET: randomBytes(24).toString("hex"),
        ...opts.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const lines: LogLine[] = [];
  const waiters = new Set<() => void>();
  let stderr = "";
  let pending = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    pending += chunk.toString();
    const parts = pending.split("\n");
    pending = parts.pop() ?? "";
    for (const text of parts) {
      try {
        lines.push(JSON.parse(text) as LogLine);
      } catch {
        // not a log line
      }
    }
    for (const w of waiters) w();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      resolve({ code, signal });
      for (const w of waiters) w();
    }),
  );
  let dead = false;
  void exited.then(() => {
    dead = true;
  });
  const waitForLine = (match: (line: LogLine) => boolean, ms = START_MS, from = 0) =>
    new Promise<LogLine>((resolve, reject) => {
      const check = () => {
        const found = lines.slice(from).find(match);
        if (found) return done(() => resolve(found));
        if (dead)
          done(() => reject(new Error(`the server exited first\nstderr: ${stderr}\nlog: ${tail(lines)}`)));
      };
      const timer = setTimeout(
        () =>
          done(() =>
            reject(new Error(`no such log line within ${ms} ms\nstderr: ${stderr}\nlog: ${tail(lines)}`)),
          ),
        ms,
      );
      const done = (then: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        then();
      };
      waiters.add(check);
      check();
    });
  const listening = await waitForLine((l) => /^listening on http:\/\/127\.0\.0\.1:\d+$/.test(l.msg)).catch(
    (e: unknown) => {
      child.kill("SIGKILL");
      throw e;
    },
  );
  const port = Number(/:(\d+)$/.exec(listening.msg)?.[1]);
  return {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    lines,
    waitForLine,
    exited,
    async stop(signal = "SIGTERM") {
      if (!dead) child.kill(signal);
      return exited;
    },
  };
}

function tail(lines: LogLine[]): string {
  return lines
    .slice(-15)
    .map((l) => JSON.stringify(l))
    .join("\n");
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The body as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/**
 * One request on a connection of its own (no keep-alive: the cluster hands each connection to the
 * next worker), so the test controls every byte: raw bodies, lying Content-Length, other hosts.
 */
export function request(
  url: string,
  opts: {
    method?: string;
    headers?: Record<string, string | number>;
    body?: string | Buffer;
    host?: string;
    /** A keep-alive agent instead of a connection of its own ("Connection: close"). */
    agent?: http.Agent;
  } = {},
): Promise<Answer> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: opts.host ?? u.hostname,
        port: u.port,
        path: `${u.pathname}${u.search}`,
        method: opts.method ?? "GET",
        headers: opts.headers,
        agent: opts.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString();
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(opts.body);
  });
}

/** POST a JSON body (a string is sent as it is). */
export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return request(url, {
    method: "POST",
    headers: { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers },
    body: text,
  });
}

/** The value of one sample in Prometheus's text format, 0 when the series is absent. */
export function sample(metrics: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of metrics.split("\n")) {
    if (line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = (m[2] ?? "").split(/,(?=[a-zA-Z_]+=")/).filter(Boolean);
    if (wanted.length === have.length && wanted.every((w) => have.includes(w))) return Number(m[3]);
  }
  return 0;
}
