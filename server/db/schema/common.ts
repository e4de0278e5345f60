import { type SQL, sql } from "drizzle-orm";
import { type AnyPgColumn, jsonb, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { projects } from "./projects";

/**
 * `column in ('a', 'b', …)` for a CHECK constraint, built from one of server/core/vocabulary.ts's
 * arrays (docs/adr/0019-schema-as-single-source.md). The values are inlined as SQL literals, so
 * drizzle-kit sees the constraint's text and a changed array becomes a migration.
 */
export function oneOf(column: AnyPgColumn, values: readonly [string, ...string[]]): SQL {
  const literals = values.map((v) => `'${v.replaceAll("'", "''")}'`).join(", ");
  return sql`${column} in (${sql.raw(literals)})`;
}

/** Columns every named, owned registry object has. */
export function registryColumns() {
  return {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    tags: jsonb("tags").$type<Record<string, string>>().notNull().default({}),
    owner: text("owner").notNull().default(""),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    /**
     * Deprecation is a state, not a version: set when the object should no longer be used, with
     * why (`deprecationNote`) and, optionally, the same-kind object that replaces it (`replacedBy`).
     */
    deprecatedAt: timestamp("deprecated_at", { withTimezone: true }),
    deprecationNote: text("deprecation_note").notNull().default(""),
    replacedBy: text("replaced_by"),
  };
}
