import { check, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { DATA_SOURCE_KINDS, FILE_FORMATS } from "../../core/vocabulary";
import { oneOf, registryColumns } from "./common";

/** An offline source: a Postgres table (`schema.table`), a SQL query or a file, with its time columns. */
export const dataSources = pgTable(
  "data_sources",
  {
    ...registryColumns(),
    kind: text("kind", { enum: DATA_SOURCE_KINDS }).notNull(),
    /** Schema-qualified table name when kind = table. */
    tableName: text("table_name"),
    /** A SELECT statement when kind = query. */
    query: text("query"),
    /** When kind = file: the file's path inside the project's file area (no "..", no leading "/"). */
    path: text("path"),
    /** When kind = file: how the file is encoded. */
    fileFormat: text("file_format", { enum: FILE_FORMATS }),
    timestampField: text("timestamp_field").notNull(),
    createdTimestampField: text("created_timestamp_field"),
    /** Source column name -> feature or join key name. */
    fieldMapping: jsonb("field_mapping").$type<Record<string, string>>().notNull().default({}),
  },
  (t) => [
    uniqueIndex("data_sources_project_name_idx").on(t.projectId, t.name),
    check("data_sources_kind_check", oneOf(t.kind, DATA_SOURCE_KINDS)),
    check("data_sources_file_format_check", oneOf(t.fileFormat, FILE_FORMATS)),
  ],
);
