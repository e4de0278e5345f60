import "server-only";
import { eq } from "drizzle-orm";
import { recordAudit } from "../audit/record";
import type { ProjectRow } from "../auth/authorize";
import { actorLabel, type Ctx, inTransaction } from "../core/context";
import { NotFoundError } from "../core/errors";
import { featureViewSchedules } from "../db/schema";
import { defineOperation } from "../operations/define";
import { nextFire } from "./next-fire";
import { loadView, ruleOf, scheduleOut } from "./rows";
import { Schedule, ScheduleTarget } from "./schemas";
import { auditShape } from "./set-schedule";

/**
 * Pausing clears the next run, so no scheduler claims the view; resuming sets it to the rule's
 * next fire after now: the ticks that fell while paused never fire. Pausing a paused schedule (or
 * resuming a running one) changes nothing and records nothing.
 */
async function setPaused(ctx: Ctx, p: ProjectRow, featureView: string, paused: boolean) {
  return inTransaction(ctx, async (tx) => {
    const view = await loadView(tx, p, featureView);
    const [before] = await tx.db
      .select()
      .from(featureViewSchedules)
      .where(eq(featureViewSchedules.featureViewId, view.id))
      .for("update");
    if (!before)
      throw new NotFoundError(`featureView: feature view "${view.name}" has no schedule`, "featureView");
    if (before.paused === paused) return scheduleOut(before, view.name);
    const [row] = await tx.db
      .update(featureViewSchedules)
      .set({
        paused,
        nextRunAt: paused ? null : nextFire(ruleOf(before), new Date()),
        updatedBy: actorLabel(tx.actor),
        updatedAt: new Date(),
      })
      .where(eq(featureViewSchedules.featureViewId, view.id))
      .returning();
    if (!row) throw new Error(`pausing the schedule of ${view.name} changed no row`);
    await recordAudit(tx, {
      project: { id: p.id, name: p.name },
      action: paused ? "schedule.pause" : "schedule.resume",
      objectType: "feature_view",
      objectName: view.name,
      before: auditShape(before),
      after: auditShape(row),
    });
    return scheduleOut(row, view.name);
  });
}

export const pauseScheduleOp = defineOperation({
  name: "schedules.pause",
  summary: "Pause a feature view's schedule: no scheduled run starts until it is resumed.",
  kind: "mutation",
  writesRegistry: false,
  access: "jobs.run",
  input: ScheduleTarget,
  output: Schedule,
  doors: ["trpc", "rest", "cli"],
  run: ({ ctx, input, project }) => setPaused(ctx, project, input.featureView, true),
});
export const pauseSchedule = pauseScheduleOp.call;

export const resumeScheduleOp = defineOperation({
  name: "schedules.resume",
  summary: "Resume a paused schedule from its next fire after now (ticks missed while paused never run).",
  kind: "mutation",
  writesRegistry: false,
  access: "jobs.run",
  input: ScheduleTarget,
  output: Schedule,
  doors: ["trpc", "rest", "cli"],
  run: ({ ctx, input, project }) => setPaused(ctx, project, input.featureView, false),
});
export const resumeSchedule = resumeScheduleOp.call;
