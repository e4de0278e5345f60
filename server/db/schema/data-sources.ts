import { check, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { DATA_SOURCE_KINDS } from "../../core/vocabulary";
import { oneOf, registryColumns } from "./common";

/** An offline source: a Postgres table (`schema.table`) or a SQL query, with its time columns. */
export const dataSources = pgTable(
  "data_sources",
  {
    ...registryColumns(),
    kind: text("kind", { enum: DATA_SOURCE_KINDS }).notNull(),
    /** Schema-qualified table name when kind = table. */
    tableName: text("table_name"),
    /** A SELECT statement when kind = query. */
    query: text("query"),
    timestampField: text("timestamp_field").notNull(),
    createdTimestampField: text("created_timestamp_field"),
    /** Source column name -> feature or join key name. */
    fieldMapping: jsonb("field_mapping").$type<Record<string, string>>().notNull().default({}),
  },
  (t) => [
    uniqueIndex("data_sources_project_name_idx").on(t.projectId, t.name),
    check("data_sources_kind_check", oneOf(t.kind, DATA_SOURCE_KINDS)),
  ],
);
