import "server-only";
import { and, desc, eq } from "drizzle-orm";
import type { ProjectRow } from "../auth/authorize";
import type { Ctx } from "../core/context";
import { NotFoundError } from "../core/errors";
import { featureViewSchedules, featureViews, scheduleTicks } from "../db/schema";
import { describeRule, type ScheduleRule } from "./next-fire";
import type { Schedule, ScheduleDetail } from "./schemas";

export type ScheduleRow = typeof featureViewSchedules.$inferSelect;

/** Ticks a view's detail lists. */
export const RECENT_TICKS = 20;

/** The view `name` of project p, or a NotFoundError naming featureView. */
export async function loadView(ctx: Ctx, p: ProjectRow, name: string): Promise<{ id: string; name: string }> {
  const [view] = await ctx.db
    .select({ id: featureViews.id, name: featureViews.name })
    .from(featureViews)
    .where(and(eq(featureViews.projectId, p.id), eq(featureViews.name, name)));
  if (!view)
    throw new NotFoundError(
      `featureView: feature view "${name}" not found in project "${p.name}"`,
      "featureView",
    );
  return view;
}

export function ruleOf(row: Pick<ScheduleRow, "kind" | "cron" | "timeZone" | "everyMinutes">): ScheduleRule {
  if (row.kind === "every") return { kind: "every", everyMinutes: row.everyMinutes ?? 1 };
  return { kind: "cron", cron: row.cron ?? "", timeZone: row.timeZone };
}

export function scheduleOut(row: ScheduleRow, featureView: string): Schedule {
  return {
    featureView,
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

/** The view's schedule (or null) and its recent ticks, newest first. */
export async function scheduleDetail(ctx: Ctx, view: { id: string; name: string }): Promise<ScheduleDetail> {
  const [row] = await ctx.db
    .select()
    .from(featureViewSchedules)
    .where(eq(featureViewSchedules.featureViewId, view.id));
  const ticks = await ctx.db
    .select({
      tickAt: scheduleTicks.tickAt,
      outcome: scheduleTicks.outcome,
      runId: scheduleTicks.runId,
      reason: scheduleTicks.reason,
      createdAt: scheduleTicks.createdAt,
    })
    .from(scheduleTicks)
    .where(eq(scheduleTicks.featureViewId, view.id))
    .orderBy(desc(scheduleTicks.tickAt))
    .limit(RECENT_TICKS);
  return { schedule: row ? scheduleOut(row, view.name) : null, ticks };
}
