import { check, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { STREAM_ADAPTERS } from "../../core/vocabulary";
import { oneOf, registryColumns } from "./common";

/**
 * The head of a stream view (docs/adr/0037-stream-aggregations.md): its name, current version and
 * what the stream worker lists, copied from the current version's spec. The specs live in
 * stream_view_versions.
 */
export const streamViews = pgTable(
  "stream_views",
  {
    ...registryColumns(),
    currentVersion: integer("current_version").notNull(),
    streamAdapter: text("stream_adapter", { enum: STREAM_ADAPTERS }).notNull(),
    streamKey: text("stream_key").notNull(),
    /** Fixed for the view's life: the stored tiles are cut by it. */
    tileSeconds: integer("tile_seconds").notNull(),
  },
  (t) => [
    uniqueIndex("stream_views_project_name_idx").on(t.projectId, t.name),
    check("stream_views_stream_adapter_check", oneOf(t.streamAdapter, STREAM_ADAPTERS)),
  ],
);

/** Immutable history: one row per version, never updated. */
export const streamViewVersions = pgTable(
  "stream_view_versions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    streamViewId: uuid("stream_view_id")
      .notNull()
      .references(() => streamViews.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    /** The version's spec as written (StreamViewSpec in server/streams/schemas.ts parses it). */
    spec: jsonb("spec").$type<unknown>().notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("stream_view_versions_view_version_idx").on(t.streamViewId, t.version)],
);
