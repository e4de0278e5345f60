import { sql } from "drizzle-orm";
import { boolean, check, index, integer, pgTable, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { SCHEDULE_KINDS, SCHEDULE_TICK_OUTCOMES } from "../../core/vocabulary";
import { oneOf } from "./common";
import { featureViews } from "./feature-views";
import { materializationRuns } from "./materialization-runs";
import { projects } from "./projects";
import { transformationRuns, transformations } from "./transformations";

export type { ScheduleKind, ScheduleTickOutcome } from "../../core/vocabulary";

/**
 * A feature view's materialization schedule (docs/adr/0031-scheduled-materialization.md):
 * operational config beside the view, not part of its versioned spec. `next_run_at` is the
 * instant the schedulers wait for; it is null while paused.
 */
export const featureViewSchedules = pgTable(
  "feature_view_schedules",
  {
    featureViewId: uuid("feature_view_id")
      .primaryKey()
      .references(() => featureViews.id, { onDelete: "cascade" }),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: SCHEDULE_KINDS }).notNull(),
    /** A 5-field cron expression (kind cron), read in `time_zone`. */
    cron: text("cron"),
    /** IANA time zone of the cron expression; "UTC" for kind every. */
    timeZone: text("time_zone").notNull().default("UTC"),
    /** Minutes between ticks (kind every), 1..1440. */
    everyMinutes: integer("every_minutes"),
    paused: boolean("paused").notNull().default(false),
    nextRunAt: timestamp("next_run_at", { withTimezone: true }),
    updatedBy: text("updated_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // The schedulers' poll: due, unpaused schedules.
    index("feature_view_schedules_due_idx").on(t.nextRunAt).where(sql`not ${t.paused}`),
    index("feature_view_schedules_project_idx").on(t.projectId),
    check("feature_view_schedules_kind_check", oneOf(t.kind, SCHEDULE_KINDS)),
    check(
      "feature_view_schedules_shape_check",
      sql`(${t.kind} = 'cron' and ${t.cron} is not null and ${t.everyMinutes} is null) or (${t.kind} = 'every' and ${t.cron} is null and ${t.everyMinutes} between 1 and 1440)`,
    ),
  ],
);

/**
 * One row per scheduled instant of a view: UNIQUE(feature_view_id, tick_at) is what makes a tick
 * fire once however many schedulers poll. Kept when the schedule is deleted (the history of what ran).
 */
export const scheduleTicks = pgTable(
  "schedule_ticks",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    featureViewId: uuid("feature_view_id")
      .notNull()
      .references(() => featureViews.id, { onDelete: "cascade" }),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    /** The scheduled instant (not when the scheduler got to it). */
    tickAt: timestamp("tick_at", { withTimezone: true }).notNull(),
    outcome: text("outcome", { enum: SCHEDULE_TICK_OUTCOMES }).notNull(),
    /** The run started (outcome started), or the still-going run the tick gave way to (skipped). */
    runId: uuid("run_id").references(() => materializationRuns.id, { onDelete: "set null" }),
    /** Why it was skipped; empty when started. */
    reason: text("reason").notNull().default(""),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique("schedule_ticks_view_tick_unique").on(t.featureViewId, t.tickAt),
    // Recent ticks of a view (the view page).
    index("schedule_ticks_view_created_idx").on(t.featureViewId, t.createdAt),
    check("schedule_ticks_outcome_check", oneOf(t.outcome, SCHEDULE_TICK_OUTCOMES)),
  ],
);

/**
 * A transformation's schedule: the same rule, pause and next-run columns as a view's. Its own
 * table (not a nullable target column on the view's) so the key stays the target's id and a tick's
 * run references the run table of its own kind.
 */
export const transformationSchedules = pgTable(
  "transformation_schedules",
  {
    transformationId: uuid("transformation_id")
      .primaryKey()
      .references(() => transformations.id, { onDelete: "cascade" }),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: SCHEDULE_KINDS }).notNull(),
    cron: text("cron"),
    timeZone: text("time_zone").notNull().default("UTC"),
    everyMinutes: integer("every_minutes"),
    paused: boolean("paused").notNull().default(false),
    nextRunAt: timestamp("next_run_at", { withTimezone: true }),
    updatedBy: text("updated_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("transformation_schedules_due_idx").on(t.nextRunAt).where(sql`not ${t.paused}`),
    index("transformation_schedules_project_idx").on(t.projectId),
    check("transformation_schedules_kind_check", oneOf(t.kind, SCHEDULE_KINDS)),
    check(
      "transformation_schedules_shape_check",
      sql`(${t.kind} = 'cron' and ${t.cron} is not null and ${t.everyMinutes} is null) or (${t.kind} = 'every' and ${t.cron} is null and ${t.everyMinutes} between 1 and 1440)`,
    ),
  ],
);

/** One row per scheduled instant of a transformation; UNIQUE(transformation_id, tick_at). */
export const transformationScheduleTicks = pgTable(
  "transformation_schedule_ticks",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    transformationId: uuid("transformation_id")
      .notNull()
      .references(() => transformations.id, { onDelete: "cascade" }),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    tickAt: timestamp("tick_at", { withTimezone: true }).notNull(),
    outcome: text("outcome", { enum: SCHEDULE_TICK_OUTCOMES }).notNull(),
    runId: uuid("run_id").references(() => transformationRuns.id, { onDelete: "set null" }),
    reason: text("reason").notNull().default(""),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique("transformation_schedule_ticks_tick_unique").on(t.transformationId, t.tickAt),
    index("transformation_schedule_ticks_created_idx").on(t.transformationId, t.createdAt),
    check("transformation_schedule_ticks_outcome_check", oneOf(t.outcome, SCHEDULE_TICK_OUTCOMES)),
  ],
);
