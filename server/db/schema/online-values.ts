import { jsonb, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

/**
 * The Postgres online store (the embedded default when REDIS_URL is unset): one row per
 * (project, feature view, entity key) holding that entity's latest feature values.
 */
export const onlineValues = pgTable(
  "online_values",
  {
    project: text("project").notNull(),
    featureView: text("feature_view").notNull(),
    entityKey: text("entity_key").notNull(),
    values: jsonb("values").$type<Record<string, unknown>>().notNull(),
    eventTs: timestamp("event_ts", { withTimezone: true, precision: 6 }).notNull(),
    writtenAt: timestamp("written_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.project, t.featureView, t.entityKey] })],
);
