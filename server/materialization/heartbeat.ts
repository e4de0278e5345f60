import "server-only";
import { sql } from "drizzle-orm";
import { materializationRuns } from "../db/schema";
import { env } from "../env";

/**
 * Heartbeats of running runs (docs/adr/0016-run-heartbeats-and-retries.md). A worker writes
 * `heartbeat_at` (database time, so the clocks of worker hosts never matter) when it claims a run,
 * after each batch and on a timer; a running run whose heartbeat is older than the timeout belongs
 * to a worker that died, and the sweeper (sweep-runs.ts) fails that attempt and lets the queue retry.
 */

/** QUIVER_RUN_HEARTBEAT_TIMEOUT_S (default 60). */
export function heartbeatTimeoutSeconds(): number {
  return env().QUIVER_RUN_HEARTBEAT_TIMEOUT_S;
}

/** A worker beats four times per timeout, so one slow or lost beat never fails a live run. */
export function heartbeatIntervalMs(timeoutSeconds: number): number {
  return Math.max(250, Math.floor((timeoutSeconds * 1000) / 4));
}

/** True in SQL when a running run's worker has not beaten for `timeoutSeconds`. */
export function heartbeatStale(timeoutSeconds: number) {
  return sql`coalesce(${materializationRuns.heartbeatAt}, ${materializationRuns.startedAt}, ${materializationRuns.createdAt}) < now() - make_interval(secs => ${timeoutSeconds})`;
}

/** The reason a swept attempt records. */
export function heartbeatLostMessage(timeoutSeconds: number): string {
  return `the worker stopped answering (no heartbeat for ${timeoutSeconds} s)`;
}

/**
 * Beyond this long without a finished batch, an attempt stops beating even though its process is
 * alive: it is stuck (every step has its own timeout, so a live attempt finishes a batch well
 * within it), and the sweeper fails it so the queue can retry.
 */
export function stallLimitMs(scanTimeoutMs: number): number {
  return scanTimeoutMs + 5 * 60_000;
}
