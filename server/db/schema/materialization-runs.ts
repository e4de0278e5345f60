import {
  type AnyPgColumn,
  bigint,
  check,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { RUN_KINDS, RUN_STATUSES } from "../../core/vocabulary";
import { oneOf } from "./common";
import { featureViews } from "./feature-views";
import { projects } from "./projects";

// A run's life, `retrying` included, is told in server/materialization/run-row.ts.
export type { RunKind, RunStatus } from "../../core/vocabulary";

/** One materialization of one feature view over [start_ts, end_ts]. Its id is the queue job's id. */
export const materializationRuns = pgTable(
  "materialization_runs",
  {
    id: uuid("id").primaryKey(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    featureViewId: uuid("feature_view_id")
      .notNull()
      .references(() => featureViews.id, { onDelete: "cascade" }),
    /** The view version the run read its spec from. */
    featureViewVersion: integer("feature_view_version").notNull(),
    kind: text("kind", { enum: RUN_KINDS }).notNull(),
    status: text("status", { enum: RUN_STATUSES }).notNull().default("queued"),
    startTs: timestamp("start_ts", { withTimezone: true }).notNull(),
    endTs: timestamp("end_ts", { withTimezone: true }).notNull(),
    rowsRead: bigint("rows_read", { mode: "number" }).notNull().default(0),
    rowsWritten: bigint("rows_written", { mode: "number" }).notNull().default(0),
    attempts: integer("attempts").notNull().default(0),
    /** Error text safe to show to users. */
    error: text("error"),
    triggeredBy: text("triggered_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    /** Last sign of life of the worker running it; a running run whose heartbeat stops is failed and retried. */
    heartbeatAt: timestamp("heartbeat_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    /** The failed run this one retries over the same window (server/materialization/retry-run.ts). */
    retryOf: uuid("retry_of").references((): AnyPgColumn => materializationRuns.id, { onDelete: "set null" }),
  },
  (t) => [
    index("materialization_runs_view_created_idx").on(t.featureViewId, t.createdAt),
    index("materialization_runs_project_created_idx").on(t.projectId, t.createdAt),
    index("materialization_runs_retry_of_idx").on(t.retryOf),
    check("materialization_runs_status_check", oneOf(t.status, RUN_STATUSES)),
    check("materialization_runs_kind_check", oneOf(t.kind, RUN_KINDS)),
  ],
);
