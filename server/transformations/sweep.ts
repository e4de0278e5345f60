import "server-only";
import { and, eq, sql } from "drizzle-orm";
import type PgBoss from "pg-boss";
import { type Logger, rootLogger } from "../core/log";
import type { Db } from "../db/client";
import { transformationRuns } from "../db/schema";
import { heartbeatIntervalMs } from "../materialization/heartbeat";
import { TRANSFORM_JOB } from "./worker";

/**
 * Run safety for transformations: the executing worker beats `heartbeat_at` (database time) while
 * a run executes (runs.ts); a running run whose beat is older than the timeout belongs to a worker
 * that died, and the sweeper every worker process runs marks it failed ("worker stopped"), which
 * frees the transformation for its next run at once instead of after pg-boss's one-hour expiry.
 * Its job, still active under the dead worker, is cancelled so the queue does not hand it out again
 * (a redelivered job of a failed run would do nothing anyway). Retrying is a person's act
 * (`transformations.retry`): the engine already rolled the dead attempt's writes back with its
 * connection, but whether to run again is the operator's call.
 */

export function transformationWorkerStoppedMessage(timeoutSeconds: number): string {
  return `worker stopped: no heartbeat for ${timeoutSeconds} s`;
}

/** Fails every running run whose heartbeat is stale; answers their ids. Idempotent across processes. */
export async function sweepTransformationRuns(
  db: Db,
  boss: PgBoss | undefined,
  timeoutSeconds: number,
  log: Logger = rootLogger(),
): Promise<string[]> {
  const reason = transformationWorkerStoppedMessage(timeoutSeconds);
  const swept = await db
    .update(transformationRuns)
    .set({ status: "failed", error: reason, finishedAt: new Date() })
    .where(
      and(
        eq(transformationRuns.status, "running"),
        sql`coalesce(${transformationRuns.heartbeatAt}, ${transformationRuns.startedAt}, ${transformationRuns.createdAt}) < now() - make_interval(secs => ${timeoutSeconds})`,
      ),
    )
    .returning({ id: transformationRuns.id });
  for (const { id } of swept) {
    log.error({ runId: id, reason }, "transformation run lost its worker");
    if (!boss) continue;
    const job = await boss.getJobById(TRANSFORM_JOB, id).catch(() => null);
    if (job?.state === "active") await boss.cancel(TRANSFORM_JOB, id).catch(() => {});
  }
  return swept.map((r) => r.id);
}

export interface TransformationSweeper {
  sweep(): Promise<string[]>;
  stop(): Promise<void>;
}

/** Sweeps every `intervalMs` (default: a quarter of the timeout) until stopped; errors are logged. */
export function startTransformationSweeper(opts: {
  db: Db;
  boss?: PgBoss;
  timeoutSeconds: number;
  intervalMs?: number;
  log?: Logger;
}): TransformationSweeper {
  const log = opts.log ?? rootLogger();
  let running: Promise<string[]> | undefined;
  const sweep = async () => {
    if (running) await running;
    running = sweepTransformationRuns(opts.db, opts.boss, opts.timeoutSeconds, log)
      .catch((e: unknown) => {
        log.error({ err: e }, "sweeping transformation runs failed");
        return [];
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
