import "server-only";
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "../audit/record";
import type { ProjectRow } from "../auth/authorize";
import { actorLabel, type Ctx, inTransaction } from "../core/context";
import { ConflictError, InvalidError, isDomainError, NotFoundError } from "../core/errors";
import { ACTIVE_RUN_STATUSES, type TransformationRunMode } from "../core/vocabulary";
import {
  dataSources,
  projects,
  transformationRuns,
  transformations,
  transformationVersions,
} from "../db/schema";
import { heartbeatIntervalMs, heartbeatTimeoutSeconds } from "../materialization/heartbeat";
import { describeRunError } from "../materialization/safe-error";
import { defineOperation } from "../operations/define";
import { runTransformation } from "./engine";
import {
  BackfillTransformationInput,
  ExecuteTransformationRunInput,
  GetTransformationRunInput,
  ListTransformationRunsInput,
  RetryTransformationRunInput,
  RunTransformationInput,
  TransformationRun,
} from "./schemas";

/**
 * Runs of transformations as jobs (docs/adr/0035-batch-transformations.md): a row per run whose id
 * is the pg-boss job's id, progress (rows written) on the row, retries by pg-boss, and the
 * watermark `computed_until` moved in the same transaction that marks the run succeeded.
 *
 * - `transformations.run`: incremental from the watermark to `end` (default now) when the SQL
 *   allows it and a watermark exists; a full refresh otherwise, or when asked.
 * - `transformations.backfill`: an incremental run over a past [start, end); the watermark stays.
 * A transformation has at most one active run: two writers of one table would wait on each other.
 */

type RunRow = typeof transformationRuns.$inferSelect;

export function shapeRun(r: RunRow, transformation: string): TransformationRun {
  return {
    id: r.id,
    transformation,
    version: r.version,
    mode: r.mode,
    status: r.status,
    startTs: r.startTs,
    endTs: r.endTs,
    rowsWritten: r.rowsWritten,
    attempts: r.attempts,
    error: r.error,
    startedBy: r.startedBy,
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
  };
}

async function headByName(ctx: Ctx, p: ProjectRow, name: string) {
  const [row] = await ctx.db
    .select({ head: transformations, v: transformationVersions })
    .from(transformations)
    .innerJoin(
      transformationVersions,
      and(
        eq(transformationVersions.transformationId, transformations.id),
        eq(transformationVersions.version, transformations.currentVersion),
      ),
    )
    .where(and(eq(transformations.projectId, p.id), eq(transformations.name, name)));
  if (!row) throw new NotFoundError(`transformation "${name}" not found in project "${p.name}"`, "name");
  return row;
}

async function startRun(
  ctx: Ctx,
  p: ProjectRow,
  name: string,
  plan: { mode: TransformationRunMode; start: Date | null; end: Date | null; retryOf?: string },
): Promise<TransformationRun> {
  const id = randomUUID();
  const run = await inTransaction(ctx, async (tx) => {
    const { head, v } = await headByName(tx, p, name);
    // Serialises starts of one transformation: the active-run check and the insert see one state.
    await tx.db
      .select({ id: transformations.id })
      .from(transformations)
      .where(eq(transformations.id, head.id))
      .for("update");
    const [active] = await tx.db
      .select({ id: transformationRuns.id })
      .from(transformationRuns)
      .where(
        and(
          eq(transformationRuns.transformationId, head.id),
          inArray(transformationRuns.status, [...ACTIVE_RUN_STATUSES]),
        ),
      );
    if (active)
      throw new ConflictError(
        `transformation "${name}" has a run in progress (${active.id}); wait for it`,
        "name",
      );
    const [row] = await tx.db
      .insert(transformationRuns)
      .values({
        id,
        projectId: p.id,
        transformationId: head.id,
        version: v.version,
        mode: plan.mode,
        startTs: plan.start,
        endTs: plan.end,
        startedBy: actorLabel(ctx.actor),
      })
      .returning();
    await recordAudit(tx, {
      project: p,
      action: plan.retryOf
        ? "transformation.retry"
        : `transformation.${plan.mode === "backfill" ? "backfill" : "run"}`,
      objectType: "transformation",
      objectName: name,
      after: { runId: id, mode: plan.mode, start: plan.start, end: plan.end, retryOf: plan.retryOf },
    });
    return row as RunRow;
  });
  await ctx.jobs.enqueueTransformationRun(id);
  return shapeRun(run, name);
}

export const runTransformationOp = defineOperation({
  name: "transformations.run",
  summary:
    "Start a run: incremental from the watermark to `end` (default now) when the SQL allows it and the version's full refresh is done, else (or with mode full) a full refresh.",
  kind: "mutation",
  doors: ["trpc", "rest", "cli"],
  access: "jobs.run",
  input: RunTransformationInput,
  output: TransformationRun,
  writesRegistry: false,
  run: async ({ ctx, input: { name, mode, end }, project: p }) => {
    const { head, v } = await headByName(ctx, p, name);
    const until = end ?? new Date();
    if (mode === "incremental" && v.notIncremental.length > 0 && head.computedUntil)
      throw new InvalidError(
        `mode: transformation "${name}" cannot run incrementally (${v.notIncremental.join("; ")}); run a full refresh`,
        "mode",
      );
    // The output before the watermark was computed by the version of the last full refresh; after a
    // new version it is stale (other SQL), so the first run of a version is a full refresh.
    const [lastFull] = await ctx.db
      .select({ version: transformationRuns.version })
      .from(transformationRuns)
      .where(
        and(
          eq(transformationRuns.transformationId, head.id),
          eq(transformationRuns.mode, "full"),
          eq(transformationRuns.status, "succeeded"),
        ),
      )
      .orderBy(desc(transformationRuns.createdAt))
      .limit(1);
    const newVersion = lastFull?.version !== v.version;
    if (mode === "full" || !head.computedUntil || v.notIncremental.length > 0 || newVersion)
      return startRun(ctx, p, name, { mode: "full", start: null, end: null });
    if (until.getTime() <= head.computedUntil.getTime())
      throw new InvalidError(
        `end: transformation "${name}" is computed until ${head.computedUntil.toISOString()}; end must be later`,
        "end",
      );
    return startRun(ctx, p, name, { mode: "incremental", start: head.computedUntil, end: until });
  },
});

export const backfillTransformationOp = defineOperation({
  name: "transformations.backfill",
  summary: "Recompute a transformation's output rows with event time in a past range [start, end).",
  kind: "mutation",
  doors: ["trpc", "rest", "cli"],
  access: "jobs.run",
  input: BackfillTransformationInput,
  output: TransformationRun,
  writesRegistry: false,
  run: async ({ ctx, input: { name, start, end }, project: p }) => {
    if (!(start.getTime() < end.getTime())) throw new InvalidError("start: must be before end", "start");
    const { v } = await headByName(ctx, p, name);
    if (v.notIncremental.length > 0)
      throw new InvalidError(
        `name: transformation "${name}" cannot recompute a range (${v.notIncremental.join("; ")}); run a full refresh`,
        "name",
      );
    return startRun(ctx, p, name, { mode: "backfill", start, end });
  },
});

export const listTransformationRunsOp = defineOperation({
  name: "transformations.runs",
  summary: "A transformation's runs, newest first: status, mode, window, rows written, error.",
  kind: "query",
  access: "definitions.read",
  input: ListTransformationRunsInput,
  output: z.array(TransformationRun),
  run: async ({ ctx, input: { name, limit }, project: p }) => {
    const { head } = await headByName(ctx, p, name);
    const rows = await ctx.db
      .select()
      .from(transformationRuns)
      .where(eq(transformationRuns.transformationId, head.id))
      .orderBy(desc(transformationRuns.createdAt))
      .limit(limit);
    return rows.map((r) => shapeRun(r, name));
  },
});

export const getTransformationRunOp = defineOperation({
  name: "transformations.getRun",
  summary: "One transformation run by id.",
  kind: "query",
  doors: ["trpc", "rest", "cli"],
  access: "definitions.read",
  input: GetTransformationRunInput,
  output: TransformationRun,
  run: async ({ ctx, input: { runId }, project: p }) => {
    const [row] = await ctx.db
      .select({ run: transformationRuns, name: transformations.name })
      .from(transformationRuns)
      .innerJoin(transformations, eq(transformations.id, transformationRuns.transformationId))
      .where(and(eq(transformationRuns.id, runId), eq(transformationRuns.projectId, p.id)));
    if (!row)
      throw new NotFoundError(`transformation run ${runId} not found in project "${p.name}"`, "runId");
    return shapeRun(row.run, row.name);
  },
});

/**
 * Starts a failed or cancelled run again as a new run: same mode and window, the head version (a
 * run of an old version would write SQL nobody reads any more). A run still going, or one that
 * succeeded, is a 409; the one-active-run rule applies as to any start.
 */
export const retryTransformationRunOp = defineOperation({
  name: "transformations.retry",
  summary: "Retry a failed or cancelled transformation run as a new run with the same mode and window.",
  kind: "mutation",
  doors: ["trpc", "rest", "cli"],
  access: "jobs.run",
  input: RetryTransformationRunInput,
  output: TransformationRun,
  writesRegistry: false,
  run: async ({ ctx, input: { runId }, project: p }) => {
    const old = await getTransformationRunOp.call({ ctx, input: { project: p.name, runId } });
    if (old.status !== "failed" && old.status !== "cancelled")
      throw new ConflictError(
        `runId: transformation run ${runId} is ${old.status}; only a failed or cancelled run is retried`,
        "runId",
      );
    return startRun(ctx, p, old.transformation, {
      mode: old.mode,
      start: old.startTs,
      end: old.endTs,
      retryOf: runId,
    });
  },
});

/** Progress is written at most this often (rows written so far). */
const PROGRESS_EVERY_MS = 1000;

/**
 * The job body: loads the run, marks it running, runs the engine with progress, and on success
 * marks it succeeded and moves the watermark in one transaction (full: to the run's start time;
 * incremental: to greatest(watermark, end); backfill: not at all). A failure is recorded with a
 * safe message; it is retried (status retrying, the error rethrown for pg-boss) unless it was the
 * last attempt or the caller's fault (a 400: bad SQL does not get better by waiting).
 */
export const executeTransformationRunOp = defineOperation({
  name: "transformations.execute",
  summary: "Run one queued transformation run (the job worker's door).",
  kind: "mutation",
  access: "trusted",
  doors: ["job"],
  input: ExecuteTransformationRunInput,
  output: TransformationRun,
  writesRegistry: false,
  run: async ({ ctx, input: { runId, lastAttempt, batchSize, heartbeatTimeoutSeconds: timeout } }) => {
    const [loaded] = await ctx.db
      .select({ run: transformationRuns, head: transformations, v: transformationVersions })
      .from(transformationRuns)
      .innerJoin(transformations, eq(transformations.id, transformationRuns.transformationId))
      .innerJoin(
        transformationVersions,
        and(
          eq(transformationVersions.transformationId, transformations.id),
          eq(transformationVersions.version, transformationRuns.version),
        ),
      )
      .where(eq(transformationRuns.id, runId));
    if (!loaded) throw new NotFoundError(`transformation run ${runId} not found`, "runId");
    const { head, v } = loaded;
    // "running": pg-boss hands a job out again only after its last attempt failed or expired (its
    // worker died), so a run still marked running is that dead attempt's, and this one takes over.
    if (!["queued", "retrying", "running"].includes(loaded.run.status))
      return shapeRun(loaded.run, head.name);
    const startedAt = new Date();
    // Only a run nobody cancelled meanwhile starts.
    const [started] = await ctx.db
      .update(transformationRuns)
      .set({
        status: "running",
        startedAt,
        heartbeatAt: sql`now()`,
        attempts: sql`${transformationRuns.attempts} + 1`,
        error: null,
      })
      .where(
        and(eq(transformationRuns.id, runId), inArray(transformationRuns.status, [...ACTIVE_RUN_STATUSES])),
      )
      .returning();
    if (!started) return getRunById(ctx, runId, head.name);
    const sources = await ctx.db.select().from(dataSources).where(eq(dataSources.projectId, head.projectId));
    const projectName = await projectNameOf(ctx, head.projectId);
    const [schema = "", table = ""] = head.outputTable.split(".");
    let lastProgress = 0;
    // Beats while the engine runs, so the sweeper can tell a slow run from a dead worker (sweep.ts).
    const beat = setInterval(
      () =>
        void ctx.db
          .update(transformationRuns)
          .set({ heartbeatAt: sql`now()` })
          .where(and(eq(transformationRuns.id, runId), eq(transformationRuns.status, "running")))
          .catch((e: unknown) => ctx.log.warn({ err: e, runId }, "transformation heartbeat failed")),
      heartbeatIntervalMs(timeout ?? heartbeatTimeoutSeconds()),
    );
    try {
      const written = await runTransformation(ctx.offline, projectName, {
        spec: { sql: v.sql, eventTimestampColumn: v.eventTimestampColumn, columns: v.columns },
        sources: sources.filter((s) => s.id !== head.outputSourceId),
        target: { schema, table },
        mode: loaded.run.mode === "full" ? "full" : "incremental",
        window:
          loaded.run.startTs && loaded.run.endTs
            ? { start: loaded.run.startTs, end: loaded.run.endTs }
            : undefined,
        batchSize,
        onProgress: async (rows) => {
          if (Date.now() - lastProgress < PROGRESS_EVERY_MS) return;
          lastProgress = Date.now();
          const [still] = await ctx.db
            .update(transformationRuns)
            .set({ rowsWritten: rows })
            .where(and(eq(transformationRuns.id, runId), eq(transformationRuns.status, "running")))
            .returning({ id: transformationRuns.id });
          // Cancelled: stop here; the engine rolls the output back.
          if (!still) throw new RunCancelled();
        },
      });
      const finished = await inTransaction(ctx, async (tx) => {
        const [row] = await tx.db
          .update(transformationRuns)
          .set({ status: "succeeded", rowsWritten: written, finishedAt: new Date() })
          .where(and(eq(transformationRuns.id, runId), eq(transformationRuns.status, "running")))
          .returning();
        // Cancelled after its last batch: the rows are written, but the watermark stays.
        if (!row) return undefined;
        const until =
          loaded.run.mode === "full"
            ? startedAt
            : loaded.run.mode === "incremental"
              ? loaded.run.endTs
              : null;
        if (until)
          await tx.db
            .update(transformations)
            .set({
              computedUntil: sql`greatest(${transformations.computedUntil}, ${until.toISOString()}::timestamptz)`,
            })
            .where(eq(transformations.id, head.id));
        return row;
      });
      if (!finished) return getRunById(ctx, runId, head.name);
      ctx.log.info({ runId, rows: written }, "transformation run succeeded");
      return shapeRun(finished, head.name);
    } catch (e) {
      if (e instanceof RunCancelled) return getRunById(ctx, runId, head.name);
      const message = isDomainError(e) ? e.message : describeRunError("offline", e);
      const final = lastAttempt || (isDomainError(e) && e.code === "INVALID");
      const [row] = await ctx.db
        .update(transformationRuns)
        .set({ status: final ? "failed" : "retrying", error: message, finishedAt: final ? new Date() : null })
        .where(and(eq(transformationRuns.id, runId), eq(transformationRuns.status, "running")))
        .returning();
      if (!row) return getRunById(ctx, runId, head.name);
      ctx.log.warn({ err: e, runId, final }, "transformation run failed");
      if (!final) throw e;
      return shapeRun(row, head.name);
    } finally {
      clearInterval(beat);
    }
  },
});

async function projectNameOf(ctx: Ctx, projectId: string): Promise<string> {
  const [p] = await ctx.db.select({ name: projects.name }).from(projects).where(eq(projects.id, projectId));
  if (!p) throw new NotFoundError("the run's project is gone", "runId");
  return p.name;
}

/**
 * Polls a run until it is final (succeeded, failed, cancelled; a retrying run is waited through),
 * calling onPoll with each poll's row. Throws after timeoutMs when given.
 */
export async function waitForTransformationRun(
  ctx: Ctx,
  project: string,
  runId: string,
  onPoll?: (run: TransformationRun) => void,
  opts: { intervalMs?: number; timeoutMs?: number } = {},
): Promise<TransformationRun> {
  const interval = opts.intervalMs ?? 250;
  const deadline = opts.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + opts.timeoutMs;
  for (;;) {
    const run = await getTransformationRunOp.call({ ctx, input: { project, runId } });
    onPoll?.(run);
    if (run.status === "succeeded" || run.status === "failed" || run.status === "cancelled") return run;
    if (Date.now() + interval > deadline)
      throw new Error(`transformation run ${runId} still in progress after ${opts.timeoutMs} ms`);
    await sleep(interval);
  }
}

class RunCancelled extends Error {}

async function getRunById(ctx: Ctx, runId: string, name: string): Promise<TransformationRun> {
  const [row] = await ctx.db.select().from(transformationRuns).where(eq(transformationRuns.id, runId));
  if (!row) throw new NotFoundError(`transformation run ${runId} not found`, "runId");
  return shapeRun(row, name);
}

/**
 * Cancels a queued, retrying or running run. A queued or retrying run never starts; a running one
 * stops at its next progress check (at most a second of batches later) and its writes are rolled
 * back. The watermark stays. A run that finished meanwhile is a 409.
 */
export const cancelTransformationRunOp = defineOperation({
  name: "transformations.cancel",
  summary: "Cancel a queued, retrying or running transformation run; its writes are rolled back.",
  kind: "mutation",
  access: "jobs.run",
  input: GetTransformationRunInput,
  output: TransformationRun,
  writesRegistry: false,
  run: async ({ ctx, input: { runId }, project: p }) => {
    const [row] = await ctx.db
      .update(transformationRuns)
      .set({ status: "cancelled", finishedAt: new Date(), error: `cancelled by ${actorLabel(ctx.actor)}` })
      .where(
        and(
          eq(transformationRuns.id, runId),
          eq(transformationRuns.projectId, p.id),
          inArray(transformationRuns.status, [...ACTIVE_RUN_STATUSES]),
        ),
      )
      .returning();
    if (row) {
      const [t] = await ctx.db
        .select({ name: transformations.name })
        .from(transformations)
        .where(eq(transformations.id, row.transformationId));
      return shapeRun(row, t?.name ?? "");
    }
    const current = await getTransformationRunOp.call({ ctx, input: { project: p.name, runId } });
    throw new ConflictError(`transformation run ${runId} is ${current.status} already`, "runId");
  },
});
