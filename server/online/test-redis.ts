import "server-only";
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { masters, type RedisClient } from "./redis-client";
import { rowKey, TS_FIELD, tsMicros } from "./redis-keys";

/** Helpers of the online store's Redis tests (not used by the app). */

/** REDIS_CLUSTER_NODES, or a failure under CI=true (a missing service is never a skip there). */
export function clusterNodesOrSkip(): string | undefined {
  const nodes = process.env.REDIS_CLUSTER_NODES;
  if (!nodes && process.env.CI === "true")
    throw new Error("REDIS_CLUSTER_NODES must be set when CI=true (bin/redis-cluster.sh start DIR)");
  return nodes || undefined;
}

/** Removes every key under a prefix, on every master. */
export async function deleteByPrefix(client: RedisClient, prefix: string): Promise<void> {
  for (const node of masters(client)) {
    for await (const keys of node.scanStream({ match: `${prefix}*`, count: 1000 }) as AsyncIterable<
      string[]
    >) {
      const p = node.pipeline();
      for (const k of keys) p.unlink(k);
      await p.exec();
    }
  }
}

/** A row as the legacy layout stored it: one hash, `_ts` in µs, JSON per feature (ADR 0003). */
export async function writeLegacyRow(
  client: RedisClient,
  prefix: string,
  project: string,
  view: string,
  entityKey: string,
  eventTs: Date,
  values: Record<string, unknown>,
): Promise<string> {
  const key = rowKey(prefix, project, view, entityKey);
  const args = [TS_FIELD, tsMicros(eventTs)];
  for (const [f, v] of Object.entries(values)) args.push(f, JSON.stringify(v));
  await client.del(key);
  await client.hset(key, ...args);
  return key;
}

/** A port on loopback nobody listens on (bound, then released). */
export async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A TCP server that accepts connections and never answers a byte. */
export async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface OwnRedis {
  port: number;
  url: string;
  process: ChildProcess;
  /** Kills the server (SIGKILL) and waits for it to exit. */
  kill(): Promise<void>;
  /** Shuts down (if still up) and removes its folder. */
  stop(): Promise<void>;
}

/**
 * A redis-server of the test's own on a free loopback port (no persistence; `cluster` starts it in
 * cluster mode with no slots), resolved once it says it accepts connections.
 */
export async function startOwnRedis(opts: { cluster?: boolean } = {}): Promise<OwnRedis> {
  const port = await deadPort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "quiver-test-redis-"));
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    dir,
  ];
  // a lone cluster node knows no address of its own until it meets another: announce it
  if (opts.cluster)
    args.push(
      "--cluster-enabled",
      "yes",
      "--cluster-config-file",
      "nodes.conf",
      "--cluster-announce-ip",
      "127.0.0.1",
    );
  const child = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${out}`)), 10_000);
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${out}`));
    });
  });
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    process: child,
    kill,
    async stop() {
      if (child.signalCode === "SIGSTOP") child.kill("SIGCONT");
      await kill();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls CLUSTER INFO on one node until its cluster_state is `state` (bounded). */
export async function waitForClusterState(port: number, state: "ok" | "fail"): Promise<void> {
  const r = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const info = String(await r.cluster("INFO"));
      if (info.includes(`cluster_state:${state}`)) return;
      if (Date.now() > deadline) throw new Error(`cluster on ${port} never reached ${state}: ${info}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    r.disconnect();
  }
}
