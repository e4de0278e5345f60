import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { inject } from "vitest";

const WORKER_SCRIPT = path.join(import.meta.dirname, "../workers/materialization-worker.ts");
/** The child loads server modules, which `import "server-only"`. */
const SERVER_ONLY_HOOK = path.join(import.meta.dirname, "../../bin/hooks/register-server-only.mjs");

/**
 * Starts test/workers/materialization-worker.ts in a process of its own (for tests that SIGKILL
 * it), reading the source as the same offline roles as the test; resolves once it polls the queue.
 * Its environment is this process's with the test's settings on top.
 */
export function startWorkerProcess(opts: {
  /** The test's registry database. */
  url: string;
  offlineUrl: string;
  offline: { secret: string; rolePrefix: string };
  heartbeatTimeoutS: number;
  batchSize: number;
  writeDelayMs: number;
  /** Also run the schedules' poller, every this many ms. */
  schedulePollMs?: number;
}): Promise<ChildProcess> {
  const proc = spawn(process.execPath, ["--import", "tsx", "--import", SERVER_ONLY_HOOK, WORKER_SCRIPT], {
    env: {
      ...process.env,
      DATABASE_URL: opts.url,
      QUIVER_RUN_HEARTBEAT_TIMEOUT_S: String(opts.heartbeatTimeoutS),
      QUIVER_TEST_OFFLINE_URL: opts.offlineUrl,
      QUIVER_TEST_OFFLINE_SECRET: opts.offline.secret,
      QUIVER_TEST_OFFLINE_ROLE_PREFIX: opts.offline.rolePrefix,
      QUIVER_TEST_BATCH_SIZE: String(opts.batchSize),
      QUIVER_TEST_WRITE_DELAY_MS: String(opts.writeDelayMs),
      QUIVER_TEST_SCHEDULE_POLL_MS: String(opts.schedulePollMs ?? 0),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  proc.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  return new Promise((resolve, reject) => {
    proc.stdout?.on("data", (d: Buffer) => {
      if (d.toString().includes("ready")) resolve(proc);
    });
    proc.once("exit", (code) =>
      reject(new Error(`the worker process exited (${code}) before it was ready:\n${err}`)),
    );
  });
}

/**
 * Offline store settings of the test's own (a secret and a role prefix under this run's template),
 * for the test's store and the worker process it starts, so both read as the same roles; drop the
 * roles with dropRoles(admin, rolePrefix) after the databases.
 */
export function sharedOfflineSettings(tag: string): { secret: string; rolePrefix: string } {
  const ppid = inject("pgTemplate").replace("quiver_tpl_", "");
  return {
    secret: randomBytes(24).toString("hex"),
    rolePrefix: `qt${ppid}_${tag}${randomBytes(2).toString("hex")}`,
  };
}
