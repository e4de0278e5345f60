import { check, index, pgTable, primaryKey, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { CONSUMER_KINDS } from "../../core/vocabulary";
import { oneOf, registryColumns } from "./common";
import { featureServices } from "./feature-services";

/** A model or service that reads features through feature services. */
export const consumers = pgTable(
  "consumers",
  {
    ...registryColumns(),
    kind: text("kind", { enum: CONSUMER_KINDS }).notNull(),
  },
  (t) => [
    uniqueIndex("consumers_project_name_idx").on(t.projectId, t.name),
    check("consumers_kind_check", oneOf(t.kind, CONSUMER_KINDS)),
  ],
);

export const consumerFeatureServices = pgTable(
  "consumer_feature_services",
  {
    consumerId: uuid("consumer_id")
      .notNull()
      .references(() => consumers.id, { onDelete: "cascade" }),
    featureServiceId: uuid("feature_service_id")
      .notNull()
      .references(() => featureServices.id),
  },
  (t) => [
    primaryKey({ columns: [t.consumerId, t.featureServiceId] }),
    index("consumer_feature_services_service_idx").on(t.featureServiceId),
  ],
);
