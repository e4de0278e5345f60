import "server-only";
import { and, eq, sql } from "drizzle-orm";
import type PgBoss from "pg-boss";
import { type Logger, rootLogger } from "../core/log";
import type { RunStatus } from "../core/vocabulary";
import type { Db } from "../db/client";
import { materializationRunLog, materializationRuns } from "../db/schema";
import { heartbeatIntervalMs, heartbeatLostMessage, heartbeatStale } from "./heartbeat";
import { MATERIALIZE_JOB, MAX_ATTEMPTS } from "./policy";

/**
 * The sweeper every worker process runs (docs/adr/0016-run-heartbeats-and-retries.md):
 *
 * 1. A running run whose heartbeat is older than the timeout lost its worker (killed, crashed, cut
 *    off). One UPDATE makes it `retrying` (attempts left) or `failed` (none left) with the reason;
 *    row locks make it idempotent across processes (of two sweepers, one changes the row).
 * 2. Its pg-boss job, still `active` under the dead worker, is failed at once, so the queue retries
 *    it after its retry delay instead of waiting for the job's expiry. A job fetched again since
 *    the last heartbeat (a redelivery already waiting to take the run over) is left alone.
 * 3. A `retrying` run needs a job the queue will deliver. When its job has ended (the queue's count
 *    of attempts ran out first) or vanished, the run is failed, saying so; when its job has been
 *    active for a whole timeout without the run being claimed, the worker that fetched it died
 *    before claiming, and the job is failed for the queue to deliver again.
 */

export interface SweepResult {
  /** Runs whose attempt was given up, with the status they went to. */
  swept: { id: string; status: RunStatus }[];
  /** Retrying runs failed because no retry will come. */
  orphaned: string[];
}

export async function sweepRuns(
  db: Db,
  boss: PgBoss,
  timeoutSeconds: number,
  log: Logger = rootLogger(),
): Promise<SweepResult> {
  const reason = heartbeatLostMessage(timeoutSeconds);
  const swept = await db
    .update(materializationRuns)
    .set({
      status: sql<RunStatus>`case when ${materializationRuns.attempts} < ${MAX_ATTEMPTS} then ${"retrying" satisfies RunStatus} else ${"failed" satisfies RunStatus} end`,
      error: reason,
      finishedAt: new Date(),
    })
    .where(and(eq(materializationRuns.status, "running"), heartbeatStale(timeoutSeconds)))
    .returning({
      id: materializationRuns.id,
      status: materializationRuns.status,
      heartbeatAt: materializationRuns.heartbeatAt,
    });
  await logSwept(db, swept, reason, log);
  for (const run of swept) {
    // Retried: a warning; no attempt left: an error.
    log[run.status === "failed" ? "error" : "warn"](
      { runId: run.id, status: run.status, reason },
      "materialization run lost its worker",
    );
    const job = await boss.getJobById(MATERIALIZE_JOB, run.id);
    if (job?.state !== "active") continue;
    if (run.heartbeatAt && job.startedOn && job.startedOn > run.heartbeatAt) continue;
    await boss.fail(MATERIALIZE_JOB, run.id, { message: reason });
  }

  const orphaned: string[] = [];
  const waiting = await db
    .select({ id: materializationRuns.id })
    .from(materializationRuns)
    .where(eq(materializationRuns.status, "retrying"));
  const justSwept = new Set(swept.map((r) => r.id));
  for (const { id } of waiting) {
    if (justSwept.has(id)) continue;
    const job = await boss.getJobById(MATERIALIZE_JOB, id);
    if (job?.state === "created" || job?.state === "retry") continue;
    if (job?.state === "active") {
      if (job.startedOn && job.startedOn.getTime() < Date.now() - timeoutSeconds * 1000)
        await boss.fail(MATERIALIZE_JOB, id, {
          message: "the worker that fetched this job never claimed its run",
        });
      continue;
    }
    const [gone] = await db
      .update(materializationRuns)
      .set({
        status: "failed",
        error: sql`coalesce(${materializationRuns.error} || '; ', '') || 'the queue has no attempt left for it'`,
      })
      .where(and(eq(materializationRuns.id, id), eq(materializationRuns.status, "retrying")))
      .returning({ id: materializationRuns.id });
    if (gone) orphaned.push(id);
  }
  return { swept: swept.map(({ id, status }) => ({ id, status })), orphaned };
}

export interface RunSweeper {
  /** Sweeps now (and waits for a sweep in progress first). */
  sweep(): Promise<SweepResult | undefined>;
  stop(): Promise<void>;
}

/** Sweeps every `intervalMs` (default: a quarter of the timeout) until stopped; errors are logged. */
export function startRunSweeper(opts: {
  db: Db;
  boss: PgBoss;
  timeoutSeconds: number;
  intervalMs?: number;
  log?: Logger;
}): RunSweeper {
  const log = opts.log ?? rootLogger();
  let running: Promise<SweepResult | undefined> | undefined;
  const sweep = async () => {
    if (running) await running;
    running = sweepRuns(opts.db, opts.boss, opts.timeoutSeconds, log)
      .catch((e: unknown) => {
        log.error({ err: e }, "sweeping materialization runs failed");
        return undefined;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const timer = setInterval(() => {
    if (!running) void sweep();
  }, opts.intervalMs ?? heartbeatIntervalMs(opts.timeoutSeconds));
  timer.unref();
  return {
    sweep,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

/** Each swept run's log says its attempt was given up, in one insert; best effort. */
async function logSwept(
  db: Db,
  swept: { id: string; status: RunStatus }[],
  reason: string,
  log: Logger,
): Promise<void> {
  if (swept.length === 0) return;
  await db
    .insert(materializationRunLog)
    .values(
      swept.map((r) => ({
        runId: r.id,
        level: r.status === "failed" ? ("error" as const) : ("warn" as const),
        step: r.status === "failed" ? "failed" : "retry",
        message:
          r.status === "failed" ? `${reason}: no attempt left, the run failed` : `${reason}: will retry`,
      })),
    )
    .catch((e: unknown) => log.warn({ err: e }, "could not write the swept runs' logs"));
}
