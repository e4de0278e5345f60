/**
 * Helpers the benchmarks share to run Quiver itself: refuse non-loopback targets, start a `quiver`
 * command as a child process, wait for its health endpoint, stop it, and a job queue that enqueues
 * nothing (benchmarks seed the registry directly).
 */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import type { JobQueue } from "../../server/core/context";

export const ROOT = path.resolve(import.meta.dirname, "../..");
const LOOPBACK = ["127.0.0.1", "localhost", "::1", "[::1]"];

/** The URL, when it names this machine; otherwise the process exits with a message. */
export function loopbackOrExit(what: string, url: string | undefined, how: string): string {
  if (!url) {
    console.error(`${what} is required: ${how}`);
    process.exit(2);
  }
  const host = new URL(url).hostname;
  if (!LOOPBACK.includes(host)) {
    console.error(`refusing to benchmark a non-loopback ${what} (${host})`);
    process.exit(2);
  }
  return url;
}

export function noJobs(): JobQueue {
  const none = async () => {};
  return {
    enqueueMaterialization: none,
    cancelMaterialization: none,
    enqueueSourceProbe: none,
    enqueueDatasetBuild: none,
    cancelDatasetBuild: none,
    enqueueStatistics: none,
    enqueueTransformationRun: none,
  };
}

/** `quiver <args>` as a child process (`start` builds the app first when its build is stale). */
export function start(args: string[], env: NodeJS.ProcessEnv, nodeFlags: string[] = []): ChildProcess {
  const child = spawn(process.execPath, [...nodeFlags, path.join(ROOT, "bin/quiver.js"), ...args], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "ignore", "inherit"],
  });
  child.on("exit", (code, signal) => {
    if (code && code !== 0) console.error(`quiver ${args[0]} exited ${code ?? signal}`);
  });
  return child;
}

export function exited(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve();
    }, ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Waits for the process's own signal: its health endpoint answering 200. */
export async function healthy(port: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/health`);
      if (res.status === 200) return;
    } catch {}
    if (Date.now() > deadline) throw new Error(`nothing healthy on port ${port} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
