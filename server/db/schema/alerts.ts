import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import {
  ALERT_FORMATS,
  type AlertEvent,
  DELIVERY_EVENTS,
  DELIVERY_STATUSES,
  INCIDENT_CAUSES,
} from "../../core/vocabulary";
import { oneOf } from "./common";
import { featureViews } from "./feature-views";
import { projects } from "./projects";

/** A webhook a project's owners set up (docs/adr/0032-alerts.md). */
export const alertRules = pgTable(
  "alert_rules",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    events: jsonb("events").$type<AlertEvent[]>().notNull(),
    /** Only this view's events; null: every view of the project. */
    featureViewId: uuid("feature_view_id").references(() => featureViews.id, { onDelete: "cascade" }),
    format: text("format", { enum: ALERT_FORMATS }).notNull(),
    url: text("url").notNull(),
    /** The HMAC key, AES-GCM encrypted with a key derived from the instance secret (server/alerts/secret-box.ts). */
    secretSealed: text("secret_sealed").notNull(),
    enabled: boolean("enabled").notNull().default(true),
    createdBy: text("created_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("alert_rules_project_name_idx").on(t.projectId, t.name),
    check("alert_rules_format_check", oneOf(t.format, ALERT_FORMATS)),
  ],
);

/** A view's breach, from its detection to its recovery (closedAt). */
export const alertIncidents = pgTable(
  "alert_incidents",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    featureViewId: uuid("feature_view_id")
      .notNull()
      .references(() => featureViews.id, { onDelete: "cascade" }),
    cause: text("cause", { enum: INCIDENT_CAUSES }).notNull(),
    /** What was seen when it opened: the freshness state, lag, SLA, last run (safe to show). */
    details: jsonb("details").$type<Record<string, unknown>>().notNull().default({}),
    openedAt: timestamp("opened_at", { withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp("closed_at", { withTimezone: true }),
  },
  (t) => [
    // At most one open incident per view, whatever the number of detectors: what stops storms.
    uniqueIndex("alert_incidents_one_open_idx").on(t.featureViewId).where(sql`${t.closedAt} is null`),
    index("alert_incidents_view_opened_idx").on(t.featureViewId, t.openedAt),
    index("alert_incidents_project_opened_idx").on(t.projectId, t.openedAt),
    check("alert_incidents_cause_check", oneOf(t.cause, INCIDENT_CAUSES)),
  ],
);

/**
 * One webhook call to make for one rule and one event. `dedupeKey` names the event's occurrence
 * (`incident:<id>:breach`, `drift:<run>:<feature>`, ...): unique per rule, so an event is sent once
 * per rule whatever the number of processes that see it. The row is the retry state too.
 */
export const alertDeliveries = pgTable(
  "alert_deliveries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    ruleId: uuid("rule_id")
      .notNull()
      .references(() => alertRules.id, { onDelete: "cascade" }),
    // A deleted view takes its incidents with it; its deliveries stay in the log.
    incidentId: uuid("incident_id").references(() => alertIncidents.id, { onDelete: "set null" }),
    featureViewId: uuid("feature_view_id").references(() => featureViews.id, { onDelete: "set null" }),
    event: text("event", { enum: DELIVERY_EVENTS }).notNull(),
    dedupeKey: text("dedupe_key").notNull(),
    /** The event as the generic JSON body carries it; each format is rendered from it when sent. */
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    status: text("status", { enum: DELIVERY_STATUSES }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    responseCode: integer("response_code"),
    /** Why the last attempt failed, safe to show: a status, a timeout, "connection failed". */
    lastError: text("last_error"),
    /** When the next attempt is due; a claimed attempt moves it past its timeout (a lease). */
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastAttemptAt: timestamp("last_attempt_at", { withTimezone: true }),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("alert_deliveries_rule_dedupe_idx").on(t.ruleId, t.dedupeKey),
    index("alert_deliveries_project_created_idx").on(t.projectId, t.createdAt),
    // The senders' claim: pending rows by due time.
    index("alert_deliveries_due_idx").on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    check("alert_deliveries_event_check", oneOf(t.event, DELIVERY_EVENTS)),
    check("alert_deliveries_status_check", oneOf(t.status, DELIVERY_STATUSES)),
  ],
);
