import "server-only";
import { and, asc, desc, eq, inArray, lte } from "drizzle-orm";
import type { Actor, Ctx } from "../core/context";
import { DomainError } from "../core/errors";
import { type Logger, rootLogger } from "../core/log";
import { ACTIVE_RUN_STATUSES, type ScheduleTickOutcome } from "../core/vocabulary";
import {
  featureViewSchedules,
  featureViews,
  materializationRuns,
  projects,
  scheduleTicks,
  transformationRuns,
  transformationSchedules,
  transformationScheduleTicks,
  transformations,
} from "../db/schema";
import { startIncrementalMaterializationOp } from "../materialization/start-incremental-materialization";
import { runTransformationOp } from "../transformations/runs";
import { nextFire } from "./next-fire";
import { ruleOf } from "./rows";

/**
 * The scheduler every worker process runs (docs/adr/0031-scheduled-materialization.md). Each poll
 * claims due schedules one at a time, each in its own transaction:
 *
 * 1. SELECT … FOR UPDATE SKIP LOCKED the unpaused schedule with the oldest next_run_at <= now:
 *    another process polling at the same moment skips it and takes the next one.
 * 2. Insert the tick (view, tick_at = the scheduled instant): UNIQUE(view, tick_at) makes a tick
 *    fire once even if two claims ever met. Advance next_run_at to the rule's first fire after
 *    now, so ticks missed while no worker ran coalesce into this one.
 * 3. If a run of the view is still queued, running or retrying, the tick is `skipped`, naming it.
 *    Otherwise it starts an incremental run up to now through jobs.materializeIncremental, as the
 *    system actor "schedule" (the run's triggered_by), and the job is sent after commit.
 */

export const SCHEDULE_ACTOR: Actor = { kind: "system", name: "schedule" };

export interface Tick {
  project: string;
  /** The view ticked ("" for a transformation's tick). */
  featureView: string;
  /** The transformation ticked (absent for a view's tick). */
  transformation?: string;
  tickAt: Date;
  outcome: ScheduleTickOutcome;
  runId: string | null;
  reason: string;
}

/** Fires every schedule due at `now` (at most `limit`); answers what each tick did. */
export async function fireDueSchedules(ctx: Ctx, now = new Date(), limit = 100): Promise<Tick[]> {
  const ticks: Tick[] = [];
  for (let i = 0; i < limit; i++) {
    // Jobs are held until the transaction that inserts their runs has committed.
    const held: string[] = [];
    const heldTransforms: string[] = [];
    const holding: Ctx = {
      ...ctx,
      jobs: {
        ...ctx.jobs,
        enqueueMaterialization: async (runId) => void held.push(runId),
        enqueueTransformationRun: async (runId) => void heldTransforms.push(runId),
      },
    };
    // Views first, then transformations; each claim is its own transaction.
    const claimed =
      (await holding.db.transaction((db) => fireOne({ ...holding, db }, now))) ??
      (await holding.db.transaction((db) => fireOneTransformation({ ...holding, db }, now)));
    if (!claimed) break;
    for (const runId of held) await ctx.jobs.enqueueMaterialization(runId);
    for (const runId of heldTransforms) await ctx.jobs.enqueueTransformationRun(runId);
    if (claimed.tick) ticks.push(claimed.tick);
  }
  return ticks;
}

/** Claims one due schedule (undefined: none is due); its tick, unless that instant had fired already. */
async function fireOne(tx: Ctx, now: Date): Promise<{ tick?: Tick } | undefined> {
  const [due] = await tx.db
    .select({ schedule: featureViewSchedules, featureView: featureViews.name, project: projects.name })
    .from(featureViewSchedules)
    .innerJoin(featureViews, eq(featureViews.id, featureViewSchedules.featureViewId))
    .innerJoin(projects, eq(projects.id, featureViewSchedules.projectId))
    .where(and(eq(featureViewSchedules.paused, false), lte(featureViewSchedules.nextRunAt, now)))
    .orderBy(asc(featureViewSchedules.nextRunAt))
    .limit(1)
    .for("update", { of: featureViewSchedules, skipLocked: true });
  if (!due?.schedule.nextRunAt) return undefined;
  const { schedule, featureView, project } = due;
  const tickAt = due.schedule.nextRunAt;
  await tx.db
    .update(featureViewSchedules)
    .set({ nextRunAt: nextFire(ruleOf(schedule), now) })
    .where(eq(featureViewSchedules.featureViewId, schedule.featureViewId));
  const base = { project, featureView, tickAt };
  const [inserted] = await tx.db
    .insert(scheduleTicks)
    .values({
      featureViewId: schedule.featureViewId,
      projectId: schedule.projectId,
      tickAt,
      outcome: "started",
    })
    .onConflictDoNothing()
    .returning({ id: scheduleTicks.id });
  // Already fired by another process: only the next run needed advancing.
  if (!inserted) return {};

  const record = async (
    outcome: ScheduleTickOutcome,
    runId: string | null,
    reason: string,
  ): Promise<{ tick: Tick }> => {
    await tx.db
      .update(scheduleTicks)
      .set({ outcome, runId, reason })
      .where(eq(scheduleTicks.id, inserted.id));
    return { tick: { ...base, outcome, runId, reason } };
  };
  const [going] = await tx.db
    .select({ id: materializationRuns.id, status: materializationRuns.status })
    .from(materializationRuns)
    .where(
      and(
        eq(materializationRuns.featureViewId, schedule.featureViewId),
        inArray(materializationRuns.status, ACTIVE_RUN_STATUSES),
      ),
    )
    .orderBy(desc(materializationRuns.createdAt))
    .limit(1);
  if (going) return record("skipped", going.id, `the previous run ${going.id} is still ${going.status}`);
  try {
    const [run] = await startIncrementalMaterializationOp.call({
      ctx: tx,
      input: { project, featureViews: [featureView], endTs: now },
    });
    return record("started", run?.id ?? null, "");
  } catch (e) {
    // A view that went offline, or a watermark already past now: the tick says why, the schedule goes on.
    if (e instanceof DomainError) return record("skipped", null, e.message);
    throw e;
  }
}

/**
 * The same claim for a transformation's schedule. Its run goes through transformations.run with
 * end = the tick: incremental over [watermark, tick) when the SQL and the last full refresh allow
 * it, else a full refresh (the operation decides, as for a person's run).
 */
async function fireOneTransformation(tx: Ctx, now: Date): Promise<{ tick?: Tick } | undefined> {
  const [due] = await tx.db
    .select({ schedule: transformationSchedules, name: transformations.name, project: projects.name })
    .from(transformationSchedules)
    .innerJoin(transformations, eq(transformations.id, transformationSchedules.transformationId))
    .innerJoin(projects, eq(projects.id, transformationSchedules.projectId))
    .where(and(eq(transformationSchedules.paused, false), lte(transformationSchedules.nextRunAt, now)))
    .orderBy(asc(transformationSchedules.nextRunAt))
    .limit(1)
    .for("update", { of: transformationSchedules, skipLocked: true });
  if (!due?.schedule.nextRunAt) return undefined;
  const { schedule, name, project } = due;
  const tickAt = schedule.nextRunAt as Date;
  await tx.db
    .update(transformationSchedules)
    .set({ nextRunAt: nextFire(ruleOf(schedule), now) })
    .where(eq(transformationSchedules.transformationId, schedule.transformationId));
  const [inserted] = await tx.db
    .insert(transformationScheduleTicks)
    .values({
      transformationId: schedule.transformationId,
      projectId: schedule.projectId,
      tickAt,
      outcome: "started",
    })
    .onConflictDoNothing()
    .returning({ id: transformationScheduleTicks.id });
  if (!inserted) return {};
  const record = async (outcome: ScheduleTickOutcome, runId: string | null, reason: string) => {
    await tx.db
      .update(transformationScheduleTicks)
      .set({ outcome, runId, reason })
      .where(eq(transformationScheduleTicks.id, inserted.id));
    return { tick: { project, featureView: "", transformation: name, tickAt, outcome, runId, reason } };
  };
  const [going] = await tx.db
    .select({ id: transformationRuns.id, status: transformationRuns.status })
    .from(transformationRuns)
    .where(
      and(
        eq(transformationRuns.transformationId, schedule.transformationId),
        inArray(transformationRuns.status, ACTIVE_RUN_STATUSES),
      ),
    )
    .orderBy(desc(transformationRuns.createdAt))
    .limit(1);
  if (going) return record("skipped", going.id, `the previous run ${going.id} is still ${going.status}`);
  try {
    const run = await runTransformationOp.call({ ctx: tx, input: { project, name, end: tickAt } });
    return record("started", run.id, "");
  } catch (e) {
    if (e instanceof DomainError) return record("skipped", null, e.message);
    throw e;
  }
}

export interface Scheduler {
  /** Polls now (after a poll in progress). */
  poll(): Promise<Tick[]>;
  stop(): Promise<void>;
}

/** Polls every `intervalMs` until stopped; errors are logged and the next poll tries again. */
export function startScheduler(opts: { ctxFor: () => Ctx; intervalMs: number; log?: Logger }): Scheduler {
  const log = opts.log ?? rootLogger();
  let running: Promise<Tick[]> | undefined;
  const poll = async (): Promise<Tick[]> => {
    if (running) await running;
    const ctx = { ...opts.ctxFor(), actor: SCHEDULE_ACTOR };
    running = fireDueSchedules(ctx)
      .then((ticks) => {
        for (const t of ticks)
          log.info(
            {
              project: t.project,
              featureView: t.featureView || undefined,
              transformation: t.transformation,
              tickAt: t.tickAt,
              outcome: t.outcome,
              runId: t.runId,
              reason: t.reason || undefined,
            },
            "schedule tick",
          );
        return ticks;
      })
      .catch((e: unknown) => {
        log.error({ err: e }, "firing due schedules failed");
        return [];
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const timer = setInterval(() => {
    if (!running) void poll();
  }, opts.intervalMs);
  timer.unref();
  return {
    poll,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
