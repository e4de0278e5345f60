import {
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { registryColumns } from "./common";
import { featureServices } from "./feature-services";

/**
 * The head of an on-demand feature view (docs/adr/0036-on-demand-features.md): features computed
 * at request time by CEL expressions. Its specs, one per version, live in on_demand_view_versions.
 * A name is unique among the project's on-demand views and may not be a feature view's name
 * (checked by the service: both are named the same way in requests).
 */
export const onDemandViews = pgTable(
  "on_demand_views",
  {
    ...registryColumns(),
    currentVersion: integer("current_version").notNull(),
  },
  (t) => [uniqueIndex("on_demand_views_project_name_idx").on(t.projectId, t.name)],
);

/** Immutable history: one row per version, never updated. */
export const onDemandViewVersions = pgTable(
  "on_demand_view_versions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    onDemandViewId: uuid("on_demand_view_id")
      .notNull()
      .references(() => onDemandViews.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    /** The version's spec (server/on-demand/spec.ts), read back through OnDemandViewSpec. */
    spec: jsonb("spec").$type<unknown>().notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("on_demand_view_versions_view_version_idx").on(t.onDemandViewId, t.version)],
);

/**
 * A feature service's selection from one on-demand view ("odv:feature" or "odv:*"), beside its
 * selections of feature views (feature_service_projections). `position` counts over both tables:
 * the order of first mention in the service's definition.
 */
export const featureServiceOnDemandProjections = pgTable(
  "feature_service_on_demand_projections",
  {
    featureServiceId: uuid("feature_service_id")
      .notNull()
      .references(() => featureServices.id, { onDelete: "cascade" }),
    onDemandViewId: uuid("on_demand_view_id")
      .notNull()
      .references(() => onDemandViews.id),
    featureNames: text("feature_names").array().notNull(),
    position: integer("position").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.featureServiceId, t.onDemandViewId] }),
    // Serves "which services use this on-demand view" (delete is refused while one does).
    index("feature_service_on_demand_projections_view_idx").on(t.onDemandViewId),
  ],
);
