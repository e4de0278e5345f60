import { index, integer, pgTable, primaryKey, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { registryColumns } from "./common";
import { featureViews } from "./feature-views";

export const featureServices = pgTable("feature_services", { ...registryColumns() }, (t) => [
  uniqueIndex("feature_services_project_name_idx").on(t.projectId, t.name),
]);

/** A service's selection from one view: the listed features, in order. */
export const featureServiceProjections = pgTable(
  "feature_service_projections",
  {
    featureServiceId: uuid("feature_service_id")
      .notNull()
      .references(() => featureServices.id, { onDelete: "cascade" }),
    featureViewId: uuid("feature_view_id")
      .notNull()
      .references(() => featureViews.id),
    featureNames: text("feature_names").array().notNull(),
    /** Order of first mention in the service's definition; retrieval answers in this order (as Feast). */
    position: integer("position").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.featureServiceId, t.featureViewId] }),
    index("feature_service_projections_view_idx").on(t.featureViewId),
  ],
);
