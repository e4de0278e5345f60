import "server-only";
import { setTimeout as sleep } from "node:timers/promises";
import { and, eq, inArray, or, type SQL, sql } from "drizzle-orm";
import { type Ctx, inTransaction } from "../core/context";
import { NotFoundError } from "../core/errors";
import { featureViews, materializationRuns } from "../db/schema";
import { requestRunStatistics } from "../statistics/request";
import { startBeating } from "./beat";
import { heartbeatIntervalMs, heartbeatStale, heartbeatTimeoutSeconds, stallLimitMs } from "./heartbeat";
import { MAX_ATTEMPTS } from "./policy";
import {
  type CoordinateHooks,
  coordinateRanges,
  loadRange,
  loadRunWork,
  pumpWork,
  RangeFailedError,
  type RunWork,
  rangeCount,
  runIsMine,
  runRangeJob,
  type SplitOptions,
} from "./ranges";
import { openRunLog, type RunLog } from "./run-log";
import { claimedEntry, failedEntries, stoppedEntry, succeededEntry } from "./run-log-entries";
import { loadRuns, type Run } from "./run-row";
import { type RunStep, safeErrorMessage } from "./safe-error";

export interface RunOptions extends SplitOptions {
  /** Rows per source fetch and per online write. */
  batchSize?: number;
  /** Online writes at once (QUIVER_MATERIALIZE_WRITES_IN_FLIGHT unless set); see pipeline.ts. */
  writesInFlight?: number;
  /** QUIVER_RUN_HEARTBEAT_TIMEOUT_S unless set; the run beats four times per timeout. */
  heartbeatTimeoutSeconds?: number;
  /**
   * The queue will not retry after this attempt (pg-boss's count is spent): a failure ends the run
   * as `failed`. Either way a run gets at most MAX_ATTEMPTS attempts.
   */
  lastAttempt?: boolean;
}

/**
 * The job body: materializes one run. The run row is the source of truth: a run that already
 * ended is left alone, so a double delivery is harmless; otherwise it is claimed (running,
 * attempts + 1, heartbeat), streamed from the source into the online store batch by batch with
 * progress and heartbeat on the row, and finished in one transaction that also moves the view's
 * watermark. Reads, conversion and writes overlap (pipeline.ts): the next batches are fetched
 * while up to `writesInFlight` are written, and progress counts a batch only once it and every
 * earlier batch are written. A timer beats while a batch is slow. On failure the row says why and
 * becomes `retrying` (the error is rethrown for the queue to retry) or, with no attempt left,
 * `failed`; the watermark does not move. A run cancelled, or given up by the sweeper, while
 * running stops at its next batch boundary (the writes already in flight finish first): every
 * write of an attempt names its attempt number, so an attempt that lost its run can change nothing.
 *
 * A delivery that finds the run running under a live heartbeat (a restart's redelivery while the
 * old process's last beat is still fresh) waits until that heartbeat goes stale or the run ends.
 *
 * A view the planner expects to exceed `splitRows` is split into key ranges that other workers
 * help write (ranges.ts): this call then coordinates them, and the run row keeps its meaning. The
 * id may also name one of those ranges (its job's id): the range is then written if it is still
 * waiting, and its run is returned.
 */
export async function runMaterialization(ctx: Ctx, runId: string, opts: RunOptions = {}): Promise<Run> {
  const timeoutS = opts.heartbeatTimeoutSeconds ?? heartbeatTimeoutSeconds();
  const [found] = await loadRuns(ctx.db, [runId]);
  if (!found) {
    // A key range's job (ranges.ts): its id is the range's.
    const range = await loadRange(ctx, runId);
    const run = range && (await runRangeJob(ctx, range, { ...opts, timeoutS }));
    if (run) return run;
    throw new NotFoundError(`materialization run ${runId} not found`, "runId");
  }

  const waitUntil = Date.now() + (timeoutS + 5) * 1000;
  let claimed: Run | undefined;
  for (;;) {
    claimed = await claim(ctx, runId, timeoutS);
    if (claimed) break;
    const now = (await loadRuns(ctx.db, [runId]))[0] ?? found;
    if (now.status !== "running" || now.attempts >= MAX_ATTEMPTS || Date.now() > waitUntil) return now;
    await sleep(Math.min(1000, heartbeatIntervalMs(timeoutS)));
  }
  const run = claimed;
  const startedMs = Date.now();
  const journal = openRunLog(ctx, run.id);
  journal.note(claimedEntry(run));
  await journal.flush();
  // Every write of this attempt: only while the row is still this attempt's.
  const mine = runIsMine(run);
  const beating = startBeating({
    intervalMs: heartbeatIntervalMs(timeoutS),
    stallMs: stallLimitMs(ctx.offline.timeouts.scanMs),
    beat: () => ctx.db.update(materializationRuns).set({ heartbeatAt: sql`now()` }).where(mine),
    onError: (e) => ctx.log.warn({ err: e, attempt: run.attempts }, "heartbeat write failed"),
  });

  let step: RunStep = { label: "loading the feature view", store: "registry" };
  try {
    const work = await loadRunWork(ctx, run, { ...opts, timeoutS });
    step = { label: `reading source "${work.source.name}"`, store: "offline" };
    const count = await rangeCount(ctx, work, opts);
    const totals =
      count > 1
        ? await coordinateRanges(ctx, work, count, {
            onStep: (s) => {
              step = s;
            },
            alive: () => beating.alive(),
          })
        : await streamWhole(
            ctx,
            work,
            {
              onStep: (s) => {
                step = s;
              },
              alive: () => beating.alive(),
            },
            journal,
          );
    if (totals === "lost") return await stopped(ctx, run, journal);
    const { rowsRead, rowsWritten } = totals;

    step = { label: "recording success", store: "registry" };
    const ended = await inTransaction(ctx, async (tx) => {
      const [done] = await tx.db
        .update(materializationRuns)
        .set({ status: "succeeded", finishedAt: new Date(), rowsRead, rowsWritten, error: null })
        .where(mine)
        .returning();
      // Cancelled after the last batch: the run stays cancelled and the watermark stays put.
      if (!done) return current(tx, run);
      // greatest() ignores a null watermark; a run over an older window never moves it back.
      await tx.db
        .update(featureViews)
        .set({
          materializedUntil: sql`greatest(${featureViews.materializedUntil}, ${run.endTs.toISOString()}::timestamptz)`,
        })
        .where(eq(featureViews.id, run.featureViewId));
      return { ...run, ...done };
    });
    if (ended.status !== "succeeded") return await stopped(ctx, run, journal);
    journal.note(
      succeededEntry(run, { ...totals, batches: count > 1 ? undefined : journal.totals.batches }, startedMs),
    );
    await journal.flush();
    await requestRunStatistics(ctx, ended.id);
    return ended;
  } catch (e) {
    // A range's message is safe already and names the range and its step.
    const message = e instanceof RangeFailedError ? e.message : safeErrorMessage(step, e);
    ctx.log.error(
      {
        err: e,
        project: run.project,
        featureView: run.featureView,
        attempt: run.attempts,
        step: step.label,
      },
      "materialization attempt failed",
    );
    const last = opts.lastAttempt === true || run.attempts >= MAX_ATTEMPTS;
    await ctx.db
      .update(materializationRuns)
      .set({ status: last ? "failed" : "retrying", error: message, finishedAt: new Date() })
      // A cancelled run stays cancelled; a run the sweeper took over is no longer this attempt's.
      .where(mine)
      .catch((err: unknown) =>
        ctx.log.error({ err, attempt: run.attempts }, "could not record the run's failure"),
      );
    for (const entry of failedEntries(run, message, last)) journal.note(entry);
    await journal.flush();
    throw e;
  } finally {
    await beating.stop();
  }
}

/**
 * A run not split: the whole window in one stream (pipeline.ts), progress on the run row after each
 * settled batch. "lost" when the run stopped being this attempt's (cancelled, swept).
 */
async function streamWhole(
  ctx: Ctx,
  work: RunWork,
  hooks: CoordinateHooks,
  journal: RunLog,
): Promise<{ rowsRead: number; rowsWritten: number } | "lost"> {
  const { run } = work;
  let rowsRead = 0;
  let rowsWritten = 0;
  const outcome = await pumpWork(ctx, work, {
    onStep: hooks.onStep,
    settled: async ({ rows, result }) => {
      rowsRead += rows;
      rowsWritten += result.written;
      hooks.onStep({ label: "recording progress", store: "registry" });
      const [still] = await ctx.db
        .update(materializationRuns)
        .set({ rowsRead, rowsWritten, heartbeatAt: sql`now()` })
        .where(runIsMine(run))
        .returning({ id: materializationRuns.id });
      hooks.alive();
      journal.batch(rows, result.written);
      await journal.flush();
      // Cancelled (cancel-run.ts) or given up by the sweeper meanwhile: stop at this batch boundary.
      return still !== undefined;
    },
  });
  return outcome === "stopped" ? "lost" : { rowsRead, rowsWritten };
}

/**
 * Takes the run for a new attempt: a queued run, one waiting for its retry, or a running one whose
 * worker stopped beating (its attempt is over, whether or not the sweeper got to it first); never
 * past MAX_ATTEMPTS. One UPDATE, so of two deliveries at most one claims.
 */
async function claim(ctx: Ctx, runId: string, timeoutS: number): Promise<Run | undefined> {
  const claimable: SQL | undefined = or(
    inArray(materializationRuns.status, ["queued", "retrying"]),
    and(eq(materializationRuns.status, "running"), heartbeatStale(timeoutS)),
  );
  const [row] = await ctx.db
    .update(materializationRuns)
    .set({
      status: "running",
      attempts: sql`${materializationRuns.attempts} + 1`,
      startedAt: new Date(),
      heartbeatAt: sql`now()`,
      finishedAt: null,
      error: null,
      rowsRead: 0,
      rowsWritten: 0,
    })
    .where(
      and(
        eq(materializationRuns.id, runId),
        sql`${materializationRuns.attempts} < ${MAX_ATTEMPTS}`,
        claimable,
      ),
    )
    .returning({ id: materializationRuns.id });
  if (!row) return undefined;
  return (await loadRuns(ctx.db, [runId]))[0];
}

/** The attempt lost its run (cancelled, swept) and stopped: the log says so. */
async function stopped(ctx: Ctx, run: Run, journal: RunLog): Promise<Run> {
  const now = await current(ctx, run);
  journal.note(stoppedEntry(run, now.status));
  await journal.flush();
  return now;
}

/** The run as its row now stands (the claimed copy when the row is gone). */
async function current(ctx: Ctx, run: Run): Promise<Run> {
  return (await loadRuns(ctx.db, [run.id]))[0] ?? run;
}
