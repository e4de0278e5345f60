import { jsonb, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { projects } from "./projects";

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
  };
}
