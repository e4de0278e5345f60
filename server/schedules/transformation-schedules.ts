import "server-only";
import { and, asc, desc, eq } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "../audit/record";
import type { ProjectRow } from "../auth/authorize";
import { actorLabel, type Ctx, inTransaction } from "../core/context";
import { NotFoundError } from "../core/errors";
import { transformationSchedules, transformationScheduleTicks, transformations } from "../db/schema";
import { defineOperation } from "../operations/define";
import { describeRule, nextFire } from "./next-fire";
import { RECENT_TICKS, ruleOf } from "./rows";
import {
  ListSchedulesInput,
  SetTransformationScheduleInput,
  TransformationSchedule,
  TransformationScheduleDetail,
  TransformationScheduleTarget,
} from "./schemas";
import { auditShape, ruleFromInput } from "./set-schedule";

/**
 * Schedules of transformations: the same rules, pause, audit and access as a feature view's
 * (docs/adr/0031), on their own tables. A tick starts `transformations.run` over [watermark, tick)
 * when the SQL allows it, else a full refresh (scheduler.ts).
 */

type Row = typeof transformationSchedules.$inferSelect;

async function loadTransformation(ctx: Ctx, p: ProjectRow, name: string) {
  const [t] = await ctx.db
    .select({ id: transformations.id, name: transformations.name })
    .from(transformations)
    .where(and(eq(transformations.projectId, p.id), eq(transformations.name, name)));
  if (!t)
    throw new NotFoundError(
      `transformation: transformation "${name}" not found in project "${p.name}"`,
      "transformation",
    );
  return t;
}

function scheduleOut(row: Row, transformation: string): TransformationSchedule {
  return {
    transformation,
    kind: row.kind,
    cron: row.cron,
    timeZone: row.timeZone,
    everyMinutes: row.everyMinutes,
    paused: row.paused,
    nextRunAt: row.nextRunAt,
    description: describeRule(ruleOf(row)),
    updatedBy: row.updatedBy,
    updatedAt: row.updatedAt,
  };
}

const audit = (tx: Ctx, p: ProjectRow, action: string, name: string, before: Row | null, after: Row | null) =>
  recordAudit(tx, {
    project: { id: p.id, name: p.name },
    action,
    objectType: "transformation",
    objectName: name,
    before: before ? auditShape(before) : null,
    after: after ? auditShape(after) : undefined,
  });

async function lockedRow(tx: Ctx, id: string): Promise<Row | undefined> {
  const [row] = await tx.db
    .select()
    .from(transformationSchedules)
    .where(eq(transformationSchedules.transformationId, id))
    .for("update");
  return row;
}

export const getTransformationScheduleOp = defineOperation({
  name: "transformations.getSchedule",
  summary: "A transformation's schedule (null when it has none) and its latest ticks.",
  kind: "query",
  access: "definitions.read",
  input: TransformationScheduleTarget,
  output: TransformationScheduleDetail,
  doors: ["trpc", "rest", "cli"],
  run: async ({ ctx, input, project: p }) => {
    const t = await loadTransformation(ctx, p, input.transformation);
    const [row] = await ctx.db
      .select()
      .from(transformationSchedules)
      .where(eq(transformationSchedules.transformationId, t.id));
    const ticks = await ctx.db
      .select({
        tickAt: transformationScheduleTicks.tickAt,
        outcome: transformationScheduleTicks.outcome,
        runId: transformationScheduleTicks.runId,
        reason: transformationScheduleTicks.reason,
        createdAt: transformationScheduleTicks.createdAt,
      })
      .from(transformationScheduleTicks)
      .where(eq(transformationScheduleTicks.transformationId, t.id))
      .orderBy(desc(transformationScheduleTicks.tickAt))
      .limit(RECENT_TICKS);
    return { schedule: row ? scheduleOut(row, t.name) : null, ticks };
  },
});

/**
 * Every transformation schedule of the project with its next fire time (null while paused), by
 * name: what the freshness board's "Next run" column reads for transformations.
 */
export async function transformationNextRuns(ctx: Ctx, projectId: string): Promise<TransformationSchedule[]> {
  const rows = await ctx.db
    .select({ schedule: transformationSchedules, name: transformations.name })
    .from(transformationSchedules)
    .innerJoin(transformations, eq(transformations.id, transformationSchedules.transformationId))
    .where(eq(transformationSchedules.projectId, projectId))
    .orderBy(asc(transformations.name));
  return rows.map((r) => scheduleOut(r.schedule, r.name));
}

export const listTransformationSchedulesOp = defineOperation({
  name: "transformations.schedules",
  summary: "The project's transformation schedules with their next runs.",
  kind: "query",
  access: "definitions.read",
  input: ListSchedulesInput,
  output: z.array(TransformationSchedule),
  doors: ["trpc", "rest"],
  run: ({ ctx, project }) => transformationNextRuns(ctx, project.id),
});

export const setTransformationScheduleOp = defineOperation({
  name: "transformations.setSchedule",
  summary:
    "Schedule a transformation's runs (incremental from the watermark when its SQL allows, else a full refresh): a cron expression with a time zone, or every N minutes.",
  kind: "mutation",
  writesRegistry: false,
  access: "jobs.run",
  input: SetTransformationScheduleInput,
  output: TransformationSchedule,
  doors: ["trpc", "rest", "cli"],
  run: async ({ ctx, input, project: p }) => {
    const rule = ruleFromInput(input);
    return inTransaction(ctx, async (tx) => {
      const t = await loadTransformation(tx, p, input.transformation);
      const before = await lockedRow(tx, t.id);
      const paused = before?.paused ?? false;
      const values = {
        kind: rule.kind,
        cron: rule.kind === "cron" ? rule.cron : null,
        timeZone: rule.kind === "cron" ? rule.timeZone : "UTC",
        everyMinutes: rule.kind === "every" ? rule.everyMinutes : null,
        paused,
        nextRunAt: paused ? null : nextFire(rule, new Date()),
        updatedBy: actorLabel(tx.actor),
        updatedAt: new Date(),
      };
      const [row] = await tx.db
        .insert(transformationSchedules)
        .values({ transformationId: t.id, projectId: p.id, ...values })
        .onConflictDoUpdate({ target: transformationSchedules.transformationId, set: values })
        .returning();
      if (!row) throw new Error(`setting the schedule of ${t.name} wrote no row`);
      await audit(tx, p, "schedule.set", t.name, before ?? null, row);
      return scheduleOut(row, t.name);
    });
  },
});

/** As a view's: pausing clears the next run, resuming starts from the next fire after now. */
async function setPaused(ctx: Ctx, p: ProjectRow, name: string, paused: boolean) {
  return inTransaction(ctx, async (tx) => {
    const t = await loadTransformation(tx, p, name);
    const before = await lockedRow(tx, t.id);
    if (!before)
      throw new NotFoundError(`transformation: transformation "${t.name}" has no schedule`, "transformation");
    if (before.paused === paused) return scheduleOut(before, t.name);
    const [row] = await tx.db
      .update(transformationSchedules)
      .set({
        paused,
        nextRunAt: paused ? null : nextFire(ruleOf(before), new Date()),
        updatedBy: actorLabel(tx.actor),
        updatedAt: new Date(),
      })
      .where(eq(transformationSchedules.transformationId, t.id))
      .returning();
    if (!row) throw new Error(`pausing the schedule of ${t.name} changed no row`);
    await audit(tx, p, paused ? "schedule.pause" : "schedule.resume", t.name, before, row);
    return scheduleOut(row, t.name);
  });
}

export const pauseTransformationScheduleOp = defineOperation({
  name: "transformations.pauseSchedule",
  summary: "Pause a transformation's schedule: no scheduled run starts until it is resumed.",
  kind: "mutation",
  writesRegistry: false,
  access: "jobs.run",
  input: TransformationScheduleTarget,
  output: TransformationSchedule,
  doors: ["trpc", "rest", "cli"],
  run: ({ ctx, input, project }) => setPaused(ctx, project, input.transformation, true),
});

export const resumeTransformationScheduleOp = defineOperation({
  name: "transformations.resumeSchedule",
  summary: "Resume a transformation's paused schedule from its next fire after now.",
  kind: "mutation",
  writesRegistry: false,
  access: "jobs.run",
  input: TransformationScheduleTarget,
  output: TransformationSchedule,
  doors: ["trpc", "rest", "cli"],
  run: ({ ctx, input, project }) => setPaused(ctx, project, input.transformation, false),
});

export const deleteTransformationScheduleOp = defineOperation({
  name: "transformations.deleteSchedule",
  summary: "Remove a transformation's schedule (its past ticks are kept).",
  kind: "mutation",
  writesRegistry: false,
  access: "jobs.run",
  input: TransformationScheduleTarget,
  output: z.object({ deleted: z.boolean() }),
  doors: ["trpc", "rest", "cli"],
  run: ({ ctx, input, project: p }) =>
    inTransaction(ctx, async (tx) => {
      const t = await loadTransformation(tx, p, input.transformation);
      const [gone] = await tx.db
        .delete(transformationSchedules)
        .where(eq(transformationSchedules.transformationId, t.id))
        .returning();
      if (!gone)
        throw new NotFoundError(
          `transformation: transformation "${t.name}" has no schedule`,
          "transformation",
        );
      await audit(tx, p, "schedule.delete", t.name, gone, null);
      return { deleted: true };
    }),
});
