import "server-only";
import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import { featureViewSchedules, featureViews } from "../db/schema";
import { defineOperation } from "../operations/define";
import { loadView, scheduleDetail, scheduleOut } from "./rows";
import { ListSchedulesInput, Schedule, ScheduleDetail, ScheduleTarget } from "./schemas";

export const getScheduleOp = defineOperation({
  name: "schedules.get",
  summary: "A feature view's schedule (null when it has none) and its latest ticks.",
  kind: "query",
  access: "definitions.read",
  input: ScheduleTarget,
  output: ScheduleDetail,
  doors: ["trpc", "rest", "cli"],
  run: async ({ ctx, input, project }) =>
    scheduleDetail(ctx, await loadView(ctx, project, input.featureView)),
});
export const getSchedule = getScheduleOp.call;

/** Every schedule of the project, by view name (the freshness board's "Next run"). */
export const listSchedulesOp = defineOperation({
  name: "schedules.list",
  summary: "The project's feature view schedules with their next runs.",
  kind: "query",
  access: "definitions.read",
  input: ListSchedulesInput,
  output: z.array(Schedule),
  doors: ["trpc", "rest"],
  run: async ({ ctx, project }) => {
    const rows = await ctx.db
      .select({ schedule: featureViewSchedules, featureView: featureViews.name })
      .from(featureViewSchedules)
      .innerJoin(featureViews, eq(featureViews.id, featureViewSchedules.featureViewId))
      .where(eq(featureViewSchedules.projectId, project.id))
      .orderBy(asc(featureViews.name));
    return rows.map((r) => scheduleOut(r.schedule, r.featureView));
  },
});
export const listSchedules = listSchedulesOp.call;
