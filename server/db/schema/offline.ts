import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { OFFLINE_SCHEMA_ACCESS, PROBE_STATUSES } from "../../core/vocabulary";
import { oneOf } from "./common";
import { dataSources } from "./data-sources";
import { projects } from "./projects";

export {
  OFFLINE_SCHEMA_ACCESS,
  type OfflineSchemaAccess,
  PROBE_STATUSES,
  type ProbeStatus,
} from "../../core/vocabulary";

/**
 * A project's offline space beyond its default (a schema named after the project): schemas it owns
 * instead (configured by an administrator) and shared schemas its owner granted it read access to.
 */
export const projectOfflineSchemas = pgTable(
  "project_offline_schemas",
  {
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    schemaName: text("schema_name").notNull(),
    access: text("access", { enum: OFFLINE_SCHEMA_ACCESS }).notNull(),
    grantedBy: text("granted_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: "project_offline_schemas_pkey", columns: [t.projectId, t.schemaName] }),
    // A schema is owned by one project at most; shared schemas are read by many.
    uniqueIndex("project_offline_schemas_owned_idx").on(t.schemaName).where(sql`${t.access} = 'own'`),
    check("project_offline_schemas_access_check", oneOf(t.access, OFFLINE_SCHEMA_ACCESS)),
  ],
);

/**
 * The last background probe of a data source (newest event time, row count), so pages never run
 * source SQL while a person waits. `error` is safe to show (server/offline/errors.ts).
 */
export const sourceProbes = pgTable(
  "source_probes",
  {
    sourceId: uuid("source_id")
      .primaryKey()
      .references(() => dataSources.id, { onDelete: "cascade" }),
    status: text("status", { enum: PROBE_STATUSES }).notNull(),
    newestEventTs: timestamp("newest_event_ts", { withTimezone: true }),
    rowCount: bigint("row_count", { mode: "number" }),
    error: text("error"),
    durationMs: integer("duration_ms").notNull(),
    probedAt: timestamp("probed_at", { withTimezone: true }).notNull(),
  },
  (t) => [check("source_probes_status_check", oneOf(t.status, PROBE_STATUSES))],
);
