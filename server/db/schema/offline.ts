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
import { dataSources } from "./data-sources";
import { projects } from "./projects";

/** How a project may use a schema of the offline database (docs/adr/0013-offline-isolation.md). */
export const OFFLINE_SCHEMA_ACCESS = ["own", "shared"] as const;
export type OfflineSchemaAccess = (typeof OFFLINE_SCHEMA_ACCESS)[number];

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
    access: text("access").$type<OfflineSchemaAccess>().notNull(),
    grantedBy: text("granted_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: "project_offline_schemas_pkey", columns: [t.projectId, t.schemaName] }),
    // A schema is owned by one project at most; shared schemas are read by many.
    uniqueIndex("project_offline_schemas_owned_idx").on(t.schemaName).where(sql`${t.access} = 'own'`),
    check("project_offline_schemas_access_check", sql`${t.access} in ('own', 'shared')`),
  ],
);

export const PROBE_STATUSES = ["ok", "timeout", "error"] as const;
export type ProbeStatus = (typeof PROBE_STATUSES)[number];

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
    status: text("status").$type<ProbeStatus>().notNull(),
    newestEventTs: timestamp("newest_event_ts", { withTimezone: true }),
    rowCount: bigint("row_count", { mode: "number" }),
    error: text("error"),
    durationMs: integer("duration_ms").notNull(),
    probedAt: timestamp("probed_at", { withTimezone: true }).notNull(),
  },
  (t) => [check("source_probes_status_check", sql`${t.status} in ('ok', 'timeout', 'error')`)],
);
