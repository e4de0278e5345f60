import "server-only";
import cluster, { type Worker } from "node:cluster";
import { Counter, Registry } from "prom-client";
import { BootError } from "../boot/errors";
import type { Logger } from "../core/log";
import { createPool } from "../db/client";
import { resetEnvCache } from "../env";
import { answerWorkerScrapes } from "../metrics";
import {
  displayUrl,
  featureServerDatabaseUrl,
  LISTENING_MESSAGE,
  type ListenOptions,
  STOP_MESSAGE,
} from "./server";

/** A worker that dies is started again after this, doubled for each quick death, up to MAX. */
const RESTART_MIN_MS = 500;
const RESTART_MAX_MS = 30_000;
/** A worker that lived this long died of something new: its next restart waits RESTART_MIN_MS. */
const HEALTHY_AFTER_MS = 10_000;
/** How long the primary waits for its workers to stop before it kills them. */
const STOP_LIMIT_MS = 25_000;

interface Slot {
  index: number;
  worker?: Worker;
  startedAt: number;
  backoffMs: number;
  restart?: NodeJS.Timeout;
  listening: boolean;
}

/**
 * `quiver serve --workers N`: this process (the primary) resolves the database once, forks N
 * workers that share the port (node:cluster hands connections out round-robin), restarts a worker
 * that dies (after a backoff, logged), answers workers' metrics requests with all workers' metrics
 * summed (server/metrics/scrape.ts), and on SIGTERM/SIGINT asks every worker to stop, waits for
 * them (killing those still there after STOP_LIMIT_MS) and exits 0. It serves nothing itself.
 * Workers re-run the same command line and serve through runServingProcess.
 */
export async function runClusterPrimary(
  opts: ListenOptions & { workers: number; log: Logger },
): Promise<void> {
  const { log } = opts;
  const databaseUrl = featureServerDatabaseUrl();
  await checkDatabase(databaseUrl);
  // Workers inherit the environment: every one uses the database resolved here.
  process.env.DATABASE_URL = databaseUrl;
  resetEnvCache();

  const own = new Registry();
  const restarts = new Counter({
    name: "quiver_feature_server_worker_restarts_total",
    help: "Feature server workers started again after they died.",
    registers: [own],
  });
  answerWorkerScrapes(own);

  let stopping = false;
  let announced = false;
  const slots: Slot[] = Array.from({ length: opts.workers }, (_, index) => ({
    index,
    startedAt: 0,
    backoffMs: RESTART_MIN_MS,
    listening: false,
  }));

  const fork = (slot: Slot) => {
    slot.restart = undefined;
    slot.startedAt = Date.now();
    slot.listening = false;
    const worker = cluster.fork();
    slot.worker = worker;
    worker.on("message", (m: { type?: unknown; port?: unknown }) => {
      if (m?.type !== LISTENING_MESSAGE || typeof m.port !== "number") return;
      slot.listening = true;
      if (announced) {
        log.info({ worker: slot.index, workerPid: worker.process.pid }, "feature server worker restarted");
        return;
      }
      if (slots.every((s) => s.listening)) {
        announced = true;
        log.info({ workers: opts.workers, port: m.port }, `listening on ${displayUrl(opts.host, m.port)}`);
      }
    });
    worker.on("exit", (code, signal) => {
      slot.worker = undefined;
      slot.listening = false;
      if (stopping) return;
      const lived = Date.now() - slot.startedAt;
      if (lived >= HEALTHY_AFTER_MS) slot.backoffMs = RESTART_MIN_MS;
      const wait = slot.backoffMs;
      slot.backoffMs = Math.min(wait * 2, RESTART_MAX_MS);
      log.warn(
        {
          worker: slot.index,
          workerPid: worker.process.pid,
          code,
          signal,
          livedMs: lived,
          restartInMs: wait,
        },
        "feature server worker died: restarting it",
      );
      restarts.inc();
      slot.restart = setTimeout(() => fork(slot), wait);
    });
  };

  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ reason: why }, "feature server stopping its workers");
    const alive = slots.flatMap((s) => {
      clearTimeout(s.restart);
      return s.worker ? [s.worker] : [];
    });
    const exited = alive.map((w) => new Promise<void>((resolve) => w.once("exit", () => resolve())));
    for (const w of alive) {
      if (w.isConnected()) w.send({ type: STOP_MESSAGE });
      else w.process.kill("SIGTERM");
    }
    const limit = setTimeout(() => {
      log.error({ limitMs: STOP_LIMIT_MS }, "feature server workers still running: killing them");
      for (const w of alive) w.process.kill("SIGKILL");
    }, STOP_LIMIT_MS);
    await Promise.all(exited);
    clearTimeout(limit);
    log.info("feature server stopped");
    process.exit(0);
  };
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => void stop(signal));
  }
  for (const slot of slots) fork(slot);
}

/** Fails the start at once when the database does not answer, rather than in a restart loop. */
async function checkDatabase(url: string): Promise<void> {
  const pool = createPool(url, 1);
  try {
    await pool.query("select 1");
  } catch (e) {
    throw new BootError(
      `the feature server cannot reach its database: ${e instanceof Error ? e.message : String(e)}`,
    );
  } finally {
    await pool.end().catch(() => {});
  }
}
