import "server-only";
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { and, asc, eq, getTableColumns, inArray, lt, type SQL, sql } from "drizzle-orm";
import { type Ctx, inTransaction } from "../core/context";
import { InvalidError } from "../core/errors";
import { materializationRunRanges as ranges, materializationRuns as runs } from "../db/schema";
import { env } from "../env";
import { recordMaterializedRows } from "../metrics";
import {
  estimateLatestPerEntity,
  type KeyRange,
  readLatestPerEntity,
  type SourceDef,
  type SourceRow,
  type ViewColumns,
  viewColumns,
} from "../offline";
import type { OnlineRow } from "../online";
import { getFeatureView } from "../registry/feature-views/get";
import { startBeating } from "./beat";
import { heartbeatIntervalMs, heartbeatLostMessage, stallLimitMs } from "./heartbeat";
import { pump, type Settled } from "./pipeline";
import { MAX_ATTEMPTS } from "./policy";
import { openRunLog } from "./run-log";
import { loadRuns, type Run } from "./run-row";
import { type RunStep, safeErrorMessage } from "./safe-error";

/**
 * Parallel key ranges (docs/adr/0005-materialization.md, "Parallel key ranges"): a run whose view
 * is large is split into K ranges of entity keys (by hash), each a row of
 * materialization_run_ranges and a job on the materialize queue. The run's own job coordinates:
 * it plans the ranges, runs queued ones itself, retakes a range whose worker stopped beating, fails
 * the run's attempt when a range fails, and finishes the run once every range has succeeded. The
 * run row keeps its meaning: one status, progress as the sum of its ranges', the watermark moved
 * only by its success.
 */

export type RangeRow = typeof ranges.$inferSelect;

/** What one attempt of a run reads and writes: enough to run the run, or any of its ranges. */
export interface RunWork {
  /** The run as claimed: `attempts` is this attempt's number. */
  run: Run;
  view: string;
  source: SourceDef;
  columns: ViewColumns;
  batchSize?: number;
  writesInFlight: number;
  timeoutS: number;
}

export interface WorkOptions {
  batchSize?: number;
  writesInFlight?: number;
  timeoutS: number;
}

/** Loads the run's view version (the one the run was started with) and what reading it needs. */
export async function loadRunWork(ctx: Ctx, run: Run, opts: WorkOptions): Promise<RunWork> {
  const view = await getFeatureView({
    ctx,
    input: { project: run.project, name: run.featureView, version: run.featureViewVersion },
  });
  if (view.entities.length !== view.spec.entities.length)
    throw new InvalidError(
      `feature view "${view.name}" v${view.version} names an entity that no longer exists`,
    );
  return {
    run,
    view: view.name,
    source: view.source,
    columns: viewColumns(view.spec.fields, view.entities),
    batchSize: opts.batchSize,
    writesInFlight: opts.writesInFlight ?? env().QUIVER_MATERIALIZE_WRITES_IN_FLIGHT,
    timeoutS: opts.timeoutS,
  };
}

export function toOnlineRow(r: SourceRow): OnlineRow {
  return { entityKey: r.entityKey, values: r.values, eventTs: r.eventTs };
}

/** Every write of the run's attempt: only while the row is still this attempt's. */
export function runIsMine(run: Run): SQL | undefined {
  return and(eq(runs.id, run.id), eq(runs.status, "running"), eq(runs.attempts, run.attempts));
}

export interface SplitOptions {
  /** QUIVER_MATERIALIZE_SPLIT_ROWS unless set; 0 never splits. */
  splitRows?: number;
  /** QUIVER_MATERIALIZE_MAX_RANGES unless set. */
  maxRanges?: number;
}

/**
 * How many key ranges the run is split into: 1 (not split) unless the planner expects more than
 * `splitRows` rows, then ceil(estimate / splitRows), at most `maxRanges`. File sources: 1.
 */
export async function rangeCount(ctx: Ctx, work: RunWork, opts: SplitOptions = {}): Promise<number> {
  const splitRows = opts.splitRows ?? env().QUIVER_MATERIALIZE_SPLIT_ROWS;
  const maxRanges = opts.maxRanges ?? env().QUIVER_MATERIALIZE_MAX_RANGES;
  if (splitRows <= 0 || maxRanges < 2) return 1;
  const estimate = await estimateLatestPerEntity(ctx.offline, work.run.project, work.source, work.columns, {
    start: work.run.startTs,
    end: work.run.endTs,
  });
  if (estimate === null || estimate <= splitRows) return 1;
  return Math.min(maxRanges, Math.ceil(estimate / splitRows));
}

/** A range failed: the message (safe to show) says which and why; it fails the run's attempt. */
export class RangeFailedError extends Error {
  override name = "RangeFailedError";
}

const label = (r: { rangeIndex: number; rangeCount: number }) =>
  `range ${r.rangeIndex + 1} of ${r.rangeCount}`;

export interface CoordinateHooks {
  /** The step now running, for the error message if it fails. */
  onStep(step: RunStep): void;
  /** The coordinator made progress (its run heartbeat keeps beating). */
  alive(): void;
}

/**
 * The coordinator: plans `count` ranges for the run's attempt, sends their jobs, then claims and
 * runs queued ranges itself (and ranges whose worker stopped beating) until none is left, and
 * polls while other workers finish theirs. Returns the run's totals once every range succeeded,
 * "lost" when the run is no longer this attempt's (cancelled, swept); throws RangeFailedError when
 * a range failed. Whatever the outcome but success, the attempt's unfinished ranges are stopped.
 */
export async function coordinateRanges(
  ctx: Ctx,
  work: RunWork,
  count: number,
  hooks: CoordinateHooks,
): Promise<{ rowsRead: number; rowsWritten: number } | "lost"> {
  const { run } = work;
  const coordinating: RunStep = { label: "coordinating key ranges", store: "registry" };
  hooks.onStep(coordinating);
  // An earlier attempt that died (its coordinator killed, then swept) left its ranges behind.
  await stopRanges(ctx, run, { before: true });
  const planned = await ctx.db
    .insert(ranges)
    .values(
      Array.from({ length: count }, (_, i) => ({
        id: randomUUID(),
        runId: run.id,
        runAttempt: run.attempts,
        rangeIndex: i,
        rangeCount: count,
      })),
    )
    .returning({ id: ranges.id });
  const journal = openRunLog(ctx, run.id);
  journal.note({
    level: "info",
    step: "ranges",
    message: `split into ${count} key ranges that workers write at once`,
    data: { attempt: run.attempts, ranges: count },
  });
  await journal.flush();
  // A job that cannot be sent leaves its range queued: the coordinator runs it itself.
  for (const r of planned)
    await ctx.jobs
      .enqueueMaterialization(r.id)
      .catch((e: unknown) => ctx.log.warn({ err: e, runId: run.id }, "could not send a key range's job"));

  const pollMs = Math.min(500, heartbeatIntervalMs(work.timeoutS));
  let ended = false;
  try {
    for (;;) {
      hooks.onStep(coordinating);
      const [still] = await ctx.db.select({ id: runs.id }).from(runs).where(runIsMine(run));
      if (!still) return "lost";
      hooks.alive();
      const states = await ctx.db
        .select({
          id: ranges.id,
          rangeIndex: ranges.rangeIndex,
          rangeCount: ranges.rangeCount,
          status: ranges.status,
          attempts: ranges.attempts,
          rowsRead: ranges.rowsRead,
          rowsWritten: ranges.rowsWritten,
          error: ranges.error,
          stale: staleRange(work.timeoutS),
        })
        .from(ranges)
        .where(and(eq(ranges.runId, run.id), eq(ranges.runAttempt, run.attempts)))
        .orderBy(asc(ranges.rangeIndex));
      const failed = states.find((r) => r.status === "failed" || r.status === "cancelled");
      if (failed) throw new RangeFailedError(`${label(failed)}: ${failed.error ?? "stopped"}`);
      if (states.every((r) => r.status === "succeeded")) {
        ended = true;
        return {
          rowsRead: states.reduce((n, r) => n + r.rowsRead, 0),
          rowsWritten: states.reduce((n, r) => n + r.rowsWritten, 0),
        };
      }
      const next =
        states.find((r) => r.status === "queued") ?? states.find((r) => r.status === "running" && r.stale);
      if (!next) {
        await sleep(pollMs);
        continue;
      }
      if (next.attempts >= MAX_ATTEMPTS)
        throw new RangeFailedError(
          `${label(next)}: ${heartbeatLostMessage(work.timeoutS)}, ${next.attempts} times`,
        );
      const outcome = await runRange(ctx, work, next.id, hooks);
      if (outcome.kind === "failed") throw new RangeFailedError(`${label(next)}: ${outcome.message}`);
    }
  } finally {
    if (!ended) await stopRanges(ctx, run);
  }
}

/** True in SQL when a running range's worker has not beaten for `timeoutS`. */
function staleRange(timeoutS: number) {
  return sql<boolean>`coalesce(${ranges.heartbeatAt}, ${ranges.startedAt}, ${ranges.createdAt}) < now() - make_interval(secs => ${timeoutS})`;
}

/**
 * The attempt's (with `before`, earlier attempts') queued and running ranges become `cancelled` and
 * their queued jobs are cancelled: their workers find their fence gone at their next batch. Best
 * effort: they would stop anyway.
 */
async function stopRanges(ctx: Ctx, run: Run, opts: { before?: boolean } = {}): Promise<void> {
  try {
    const stopped = await ctx.db
      .update(ranges)
      .set({ status: "cancelled", finishedAt: new Date() })
      .where(
        and(
          eq(ranges.runId, run.id),
          opts.before ? lt(ranges.runAttempt, run.attempts) : eq(ranges.runAttempt, run.attempts),
          inArray(ranges.status, ["queued", "running"]),
        ),
      )
      .returning({ id: ranges.id });
    for (const r of stopped) await ctx.jobs.cancelMaterialization(r.id);
  } catch (e) {
    ctx.log.warn({ err: e, runId: run.id }, "could not stop the run's key ranges");
  }
}

export type RangeOutcome =
  | { kind: "succeeded" }
  /** Not claimed: done, taken, or its run's attempt is over. */
  | { kind: "skipped" }
  /** Claimed, then the fence went: the run was cancelled or swept, or the range was taken over. */
  | { kind: "lost" }
  | { kind: "failed"; message: string };

/**
 * Claims one range of the run's attempt and writes it, batch by batch, overlapped as a whole run is
 * (pipeline.ts): progress goes to the range row and the run row in one statement per batch. A
 * failure is recorded on the range (its safe message) and returned, not thrown.
 */
export async function runRange(
  ctx: Ctx,
  work: RunWork,
  rangeId: string,
  hooks?: Pick<CoordinateHooks, "alive">,
): Promise<RangeOutcome> {
  const { run } = work;
  const claimed = await claimRange(ctx, run, rangeId, work.timeoutS);
  if (!claimed) return { kind: "skipped" };
  const mine = and(
    eq(ranges.id, claimed.id),
    eq(ranges.status, "running"),
    eq(ranges.attempts, claimed.attempts),
  );
  const log = ctx.log.child({ range: claimed.rangeIndex, rangeAttempt: claimed.attempts });
  const journal = openRunLog(ctx, run.id, { range: label(claimed), rangeClaim: claimed.attempts });
  journal.note({
    level: claimed.attempts > 1 ? "warn" : "info",
    step: "range",
    message: `${label(claimed)}: claim ${claimed.attempts}${claimed.attempts > 1 ? " (its last worker stopped beating)" : ""}`,
  });
  await journal.flush();
  const beating = startBeating({
    intervalMs: heartbeatIntervalMs(work.timeoutS),
    stallMs: stallLimitMs(ctx.offline.timeouts.scanMs),
    beat: () => ctx.db.update(ranges).set({ heartbeatAt: sql`now()` }).where(mine),
    onError: (e) => log.warn({ err: e }, "range heartbeat write failed"),
  });
  const recording: RunStep = { label: "recording progress", store: "registry" };
  let step: RunStep = { label: `reading source "${work.source.name}"`, store: "offline" };
  try {
    const outcome = await pumpWork(ctx, work, {
      range: { index: claimed.rangeIndex, count: claimed.rangeCount },
      onStep: (s) => {
        step = s;
      },
      settled: async ({ rows, result }) => {
        step = recording;
        const still = await addProgress(ctx, run, claimed, rows, result.written);
        beating.alive();
        hooks?.alive();
        journal.batch(rows, result.written);
        await journal.flush();
        return still;
      },
    });
    if (outcome === "stopped") return { kind: "lost" };
    step = recording;
    const [done] = await ctx.db
      .update(ranges)
      .set({ status: "succeeded", finishedAt: new Date() })
      .where(mine)
      .returning({ id: ranges.id });
    if (done) {
      const t = journal.totals;
      journal.note({
        level: "info",
        step: "range",
        message: `${label(claimed)} written: read ${t.rowsRead} rows, wrote ${t.rowsWritten} in ${t.batches} batches`,
        data: { ...t },
      });
      await journal.flush();
    }
    return done ? { kind: "succeeded" } : { kind: "lost" };
  } catch (e) {
    const message = safeErrorMessage(step, e);
    journal.note({ level: "error", step: "range", message: `${label(claimed)} failed: ${message}` });
    await journal.flush();
    log.error(
      { err: e, project: run.project, featureView: run.featureView, step: step.label },
      "key range failed",
    );
    await ctx.db
      .update(ranges)
      .set({ status: "failed", error: message, finishedAt: new Date() })
      .where(mine)
      .catch((err: unknown) => log.error({ err }, "could not record the range's failure"));
    return { kind: "failed", message };
  } finally {
    await beating.stop();
  }
}

/**
 * Streams the run's window, or one key range of it, into the online store (pipeline.ts); `onStep`
 * hears the step now running (reading, writing) for error messages. Rows written are counted for
 * /metrics as each batch settles.
 */
export function pumpWork(
  ctx: Ctx,
  work: RunWork,
  opts: { range?: KeyRange; onStep(step: RunStep): void; settled(s: Settled): Promise<boolean> },
): Promise<"done" | "stopped"> {
  const { run } = work;
  const reading: RunStep = { label: `reading source "${work.source.name}"`, store: "offline" };
  const writing: RunStep = { label: "writing to the online store", store: "online" };
  return pump({
    source: readLatestPerEntity(
      ctx.offline,
      run.project,
      work.source,
      work.columns,
      { start: run.startTs, end: run.endTs },
      { batchSize: work.batchSize, range: opts.range },
    ),
    write: (batch) => ctx.online.write(run.project, work.view, batch.map(toOnlineRow)),
    writesInFlight: work.writesInFlight,
    onStep: (s) => opts.onStep(s === "read" ? reading : writing),
    settled: (s) => {
      // Written to the online store, whatever becomes of the run (quiver_materialized_rows_total).
      recordMaterializedRows(run.project, work.view, s.result.written);
      return opts.settled(s);
    },
  });
}

/**
 * Takes a range for a new claim: queued, or running under a worker that stopped beating; never
 * past MAX_ATTEMPTS claims; only while its run is running under the attempt that planned it. The
 * range row, then the run row, are locked, so two claims never both win and a retaken range's
 * rows (written by its dead claim) leave the run's progress in the same transaction.
 */
async function claimRange(
  ctx: Ctx,
  run: Run,
  rangeId: string,
  timeoutS: number,
): Promise<RangeRow | undefined> {
  return inTransaction(ctx, async (tx) => {
    const [r] = await tx.db
      .select({ ...getTableColumns(ranges), stale: staleRange(timeoutS) })
      .from(ranges)
      .where(eq(ranges.id, rangeId))
      .for("update");
    if (!r || r.runId !== run.id || r.runAttempt !== run.attempts) return undefined;
    const [live] = await tx.db.select({ id: runs.id }).from(runs).where(runIsMine(run)).for("update");
    if (!live) return undefined;
    const claimable = r.status === "queued" || (r.status === "running" && r.stale);
    if (!claimable || r.attempts >= MAX_ATTEMPTS) return undefined;
    const [claimed] = await tx.db
      .update(ranges)
      .set({
        status: "running",
        attempts: r.attempts + 1,
        rowsRead: 0,
        rowsWritten: 0,
        error: null,
        startedAt: new Date(),
        heartbeatAt: sql`now()`,
        finishedAt: null,
      })
      .where(eq(ranges.id, r.id))
      .returning();
    if (r.rowsRead !== 0 || r.rowsWritten !== 0)
      await tx.db
        .update(runs)
        .set({
          rowsRead: sql`${runs.rowsRead} - ${r.rowsRead}`,
          rowsWritten: sql`${runs.rowsWritten} - ${r.rowsWritten}`,
        })
        .where(eq(runs.id, run.id));
    return claimed;
  });
}

/**
 * One batch of a range settled: its rows go onto the range row (with its heartbeat) and onto the
 * run row, in one statement, only while the range is this claim's and the run this attempt's.
 * False when either fence is gone.
 */
async function addProgress(ctx: Ctx, run: Run, claimed: RangeRow, rows: number, written: number) {
  const result = await ctx.db.execute(sql`
    with r as (
      update ${ranges}
      set rows_read = rows_read + ${rows}, rows_written = rows_written + ${written}, heartbeat_at = now()
      where id = ${claimed.id} and status = 'running' and attempts = ${claimed.attempts}
        and exists (select 1 from ${runs} where id = ${run.id} and status = 'running' and attempts = ${run.attempts})
      returning id
    )
    update ${runs}
    set rows_read = rows_read + ${rows}, rows_written = rows_written + ${written}
    where id = ${run.id} and status = 'running' and attempts = ${run.attempts} and exists (select 1 from r)
    returning id`);
  return result.rows.length > 0;
}

/**
 * A range's job: claims the range if it is still queued and its run's attempt is still running,
 * and writes it. Never throws (the coordinator owns retries: a range job the queue retried would
 * find its range taken or done); returns the run as it stands.
 */
export async function runRangeJob(ctx: Ctx, range: RangeRow, opts: WorkOptions): Promise<Run | undefined> {
  const [run] = await loadRuns(ctx.db, [range.runId]);
  if (run?.status !== "running" || run.attempts !== range.runAttempt || range.status !== "queued") return run;
  try {
    const work = await loadRunWork(ctx, run, opts);
    await runRange(ctx, work, range.id);
  } catch (e) {
    // Before a claim (the view could not be loaded): the range stays queued for the coordinator.
    ctx.log.warn({ err: e, runId: run.id, range: range.rangeIndex }, "key range job could not start");
  }
  return (await loadRuns(ctx.db, [run.id]))[0] ?? run;
}

export async function loadRange(ctx: Ctx, id: string): Promise<RangeRow | undefined> {
  return (await ctx.db.select().from(ranges).where(eq(ranges.id, id)))[0];
}
