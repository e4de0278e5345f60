import {
  bigint,
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
import { RUN_STATUSES, TRANSFORMATION_ENGINES, TRANSFORMATION_RUN_MODES } from "../../core/vocabulary";
import { oneOf, registryColumns } from "./common";
import { dataSources } from "./data-sources";
import { projects } from "./projects";

/**
 * A batch SQL transformation (docs/adr/0035-batch-transformations.md): its head. The SQL and what
 * was inferred from it live in transformation_versions; the output is a table data source the
 * transformation owns (`output_source_id`), which feature views read like any other source.
 */
export const transformations = pgTable(
  "transformations",
  {
    ...registryColumns(),
    currentVersion: integer("current_version").notNull(),
    /** The table source its runs fill; it goes with the transformation, and only with it. */
    outputSourceId: uuid("output_source_id")
      .notNull()
      .references(() => dataSources.id),
    /** The output table, `schema.table`, in the project's offline space. */
    outputTable: text("output_table").notNull(),
    /** Watermark: the end of the last successful incremental or full run; moves only on success. */
    computedUntil: timestamp("computed_until", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("transformations_project_name_idx").on(t.projectId, t.name),
    uniqueIndex("transformations_output_source_idx").on(t.outputSourceId),
  ],
);

/** One inferred output column: name, type (column-types.ts names), Quiver type, lineage. */
export interface TransformationColumn {
  name: string;
  columnType: string;
  valueType: string | null;
  from: { source: string; column: string }[];
}

/** Immutable history: one row per version, never updated. */
export const transformationVersions = pgTable(
  "transformation_versions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    transformationId: uuid("transformation_id")
      .notNull()
      .references(() => transformations.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    sql: text("sql").notNull(),
    eventTimestampColumn: text("event_timestamp_column").notNull(),
    description: text("description").notNull().default(""),
    tags: jsonb("tags").$type<Record<string, string>>().notNull().default({}),
    owner: text("owner").notNull().default(""),
    engine: text("engine", { enum: TRANSFORMATION_ENGINES }).notNull(),
    /** The data sources the SQL reads, by name. */
    sources: jsonb("sources").$type<string[]>().notNull(),
    columns: jsonb("columns").$type<TransformationColumn[]>().notNull(),
    /** Why it may not run incrementally; empty when it may. */
    notIncremental: jsonb("not_incremental").$type<string[]>().notNull().default([]),
    createdBy: text("created_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("transformation_versions_version_idx").on(t.transformationId, t.version),
    check("transformation_versions_engine_check", oneOf(t.engine, TRANSFORMATION_ENGINES)),
  ],
);

/** One run of a transformation. Its id is the queue job's id. */
export const transformationRuns = pgTable(
  "transformation_runs",
  {
    id: uuid("id").primaryKey(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    transformationId: uuid("transformation_id")
      .notNull()
      .references(() => transformations.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    mode: text("mode", { enum: TRANSFORMATION_RUN_MODES }).notNull(),
    status: text("status", { enum: RUN_STATUSES }).notNull().default("queued"),
    /** [start_ts, end_ts) on the event time; null for a full refresh. */
    startTs: timestamp("start_ts", { withTimezone: true }),
    endTs: timestamp("end_ts", { withTimezone: true }),
    rowsWritten: bigint("rows_written", { mode: "number" }).notNull().default(0),
    attempts: integer("attempts").notNull().default(0),
    /** Error text safe to show to users. */
    error: text("error"),
    startedBy: text("started_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    /** Database time of the executing worker's last beat; a stale one means the worker died (sweep.ts). */
    heartbeatAt: timestamp("heartbeat_at", { withTimezone: true }),
  },
  (t) => [
    index("transformation_runs_transformation_created_idx").on(t.transformationId, t.createdAt),
    check("transformation_runs_status_check", oneOf(t.status, RUN_STATUSES)),
    check("transformation_runs_mode_check", oneOf(t.mode, TRANSFORMATION_RUN_MODES)),
  ],
);
