import "server-only";
import { eq } from "drizzle-orm";
import { recordAudit } from "../audit/record";
import { actorLabel, inTransaction } from "../core/context";
import { InvalidError } from "../core/errors";
import { featureViewSchedules } from "../db/schema";
import { defineOperation } from "../operations/define";
import { cronProblem, nextFire, type ScheduleRule, timeZoneProblem } from "./next-fire";
import { loadView, scheduleOut } from "./rows";
import { Schedule, type ScheduleRuleInput, SetScheduleInput } from "./schemas";

/**
 * Sets a view's schedule (creating or replacing it), audited as schedule.set. A paused schedule
 * stays paused; otherwise its next run is the rule's first fire after now. Access is jobs.run:
 * a schedule is a standing order to start materialization runs, so it needs the role that may
 * start them by hand (docs/adr/0031).
 */
export const setScheduleOp = defineOperation({
  name: "schedules.set",
  summary:
    "Schedule a feature view's incremental materialization: a cron expression with a time zone, or every N minutes.",
  kind: "mutation",
  writesRegistry: false,
  access: "jobs.run",
  input: SetScheduleInput,
  output: Schedule,
  doors: ["trpc", "rest", "cli"],
  run: async ({ ctx, input, project: p }) => {
    const rule = ruleFromInput(input);
    return inTransaction(ctx, async (tx) => {
      const view = await loadView(tx, p, input.featureView);
      const [before] = await tx.db
        .select()
        .from(featureViewSchedules)
        .where(eq(featureViewSchedules.featureViewId, view.id))
        .for("update");
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
        .insert(featureViewSchedules)
        .values({ featureViewId: view.id, projectId: p.id, ...values })
        .onConflictDoUpdate({ target: featureViewSchedules.featureViewId, set: values })
        .returning();
      if (!row) throw new Error(`setting the schedule of ${view.name} wrote no row`);
      await recordAudit(tx, {
        project: { id: p.id, name: p.name },
        action: "schedule.set",
        objectType: "feature_view",
        objectName: view.name,
        before: before ? auditShape(before) : null,
        after: auditShape(row),
      });
      return scheduleOut(row, view.name);
    });
  },
});
export const setSchedule = setScheduleOp.call;

/** The rule the input describes, or an InvalidError naming the field at fault. */
export function ruleFromInput(input: ScheduleRuleInput): ScheduleRule {
  if (input.kind === "every") {
    if (input.cron !== undefined) throw new InvalidError("cron: only for kind cron, not every", "cron");
    if (input.timeZone !== undefined)
      throw new InvalidError("timeZone: only for kind cron; every N minutes counts in UTC", "timeZone");
    if (input.everyMinutes === undefined)
      throw new InvalidError("everyMinutes: required when kind is every (1 to 1440)", "everyMinutes");
    return { kind: "every", everyMinutes: input.everyMinutes };
  }
  if (input.everyMinutes !== undefined)
    throw new InvalidError("everyMinutes: only for kind every, not cron", "everyMinutes");
  if (!input.cron) throw new InvalidError("cron: required when kind is cron", "cron");
  const timeZone = input.timeZone || "UTC";
  const tzProblem = timeZoneProblem(timeZone);
  if (tzProblem) throw new InvalidError(`timeZone: ${tzProblem}`, "timeZone");
  const problem = cronProblem(input.cron, timeZone);
  if (problem) throw new InvalidError(`cron: ${problem}`, "cron");
  return { kind: "cron", cron: input.cron, timeZone };
}

/** What the audit entry keeps of a schedule row. */
export function auditShape(
  row: Pick<
    typeof featureViewSchedules.$inferSelect,
    "kind" | "cron" | "timeZone" | "everyMinutes" | "paused" | "nextRunAt"
  >,
) {
  return {
    kind: row.kind,
    cron: row.cron,
    timeZone: row.timeZone,
    everyMinutes: row.everyMinutes,
    paused: row.paused,
    nextRunAt: row.nextRunAt,
  };
}
