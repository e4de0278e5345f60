import "server-only";
import { z } from "zod";
import { Name } from "../core/name";
import { SCHEDULE_KINDS, SCHEDULE_TICK_OUTCOMES } from "../core/vocabulary";
import { MAX_EVERY_MINUTES } from "./next-fire";

/** Inputs and outputs of the schedule operations, shared by every door (tRPC, REST, CLI). */

export const ScheduleTarget = z.object({ project: Name, featureView: Name });
export type ScheduleTarget = z.input<typeof ScheduleTarget>;

/**
 * A cron expression with its time zone, or every N minutes. One flat object (not a union) so a
 * missing or surplus field is refused by the service with a message naming it.
 */
export const SetScheduleInput = ScheduleTarget.extend({
  kind: z.enum(SCHEDULE_KINDS),
  cron: z.string().trim().max(200).optional(),
  /** IANA time zone of `cron`; UTC unless said. */
  timeZone: z.string().trim().max(100).optional(),
  everyMinutes: z.number().int().min(1).max(MAX_EVERY_MINUTES).optional(),
});
export type SetScheduleInput = z.input<typeof SetScheduleInput>;

export const ListSchedulesInput = z.object({ project: Name });

export const ScheduleTick = z.object({
  tickAt: z.date(),
  outcome: z.enum(SCHEDULE_TICK_OUTCOMES),
  runId: z.string().nullable(),
  reason: z.string(),
  createdAt: z.date(),
});

export const Schedule = z.object({
  featureView: z.string(),
  kind: z.enum(SCHEDULE_KINDS),
  cron: z.string().nullable(),
  timeZone: z.string(),
  everyMinutes: z.number().nullable(),
  paused: z.boolean(),
  /** Null while paused. */
  nextRunAt: z.date().nullable(),
  /** "every 15 min" or "<cron> (<zone>)". */
  description: z.string(),
  updatedBy: z.string(),
  updatedAt: z.date(),
});
export type Schedule = z.output<typeof Schedule>;

/** A view's schedule (null: none) and its latest ticks, newest first. */
export const ScheduleDetail = z.object({ schedule: Schedule.nullable(), ticks: z.array(ScheduleTick) });
export type ScheduleDetail = z.output<typeof ScheduleDetail>;

/** The rule fields of a set-schedule input, whatever its target. */
export type ScheduleRuleInput = Pick<SetScheduleInput, "kind" | "cron" | "timeZone" | "everyMinutes">;

/** A transformation as a schedule's target. */
export const TransformationScheduleTarget = z.object({ project: Name, transformation: Name });
export type TransformationScheduleTarget = z.input<typeof TransformationScheduleTarget>;

export const SetTransformationScheduleInput = TransformationScheduleTarget.extend(
  SetScheduleInput.omit({ project: true, featureView: true }).shape,
);
export type SetTransformationScheduleInput = z.input<typeof SetTransformationScheduleInput>;

export const TransformationSchedule = Schedule.omit({ featureView: true }).extend({
  transformation: z.string(),
});
export type TransformationSchedule = z.output<typeof TransformationSchedule>;

/** A transformation's schedule (null: none) and its latest ticks, newest first. */
export const TransformationScheduleDetail = z.object({
  schedule: TransformationSchedule.nullable(),
  ticks: z.array(ScheduleTick),
});
export type TransformationScheduleDetail = z.output<typeof TransformationScheduleDetail>;
