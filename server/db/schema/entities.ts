import { pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { registryColumns } from "./common";

export const entities = pgTable(
  "entities",
  {
    ...registryColumns(),
    joinKey: text("join_key").notNull(),
    valueType: text("value_type").notNull(),
  },
  (t) => [uniqueIndex("entities_project_name_idx").on(t.projectId, t.name)],
);
