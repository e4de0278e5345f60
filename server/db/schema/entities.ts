import { check, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { JOIN_KEY_TYPES } from "../../core/vocabulary";
import { oneOf, registryColumns } from "./common";

export const entities = pgTable(
  "entities",
  {
    ...registryColumns(),
    joinKey: text("join_key").notNull(),
    valueType: text("value_type", { enum: JOIN_KEY_TYPES }).notNull(),
  },
  (t) => [
    uniqueIndex("entities_project_name_idx").on(t.projectId, t.name),
    check("entities_value_type_check", oneOf(t.valueType, JOIN_KEY_TYPES)),
  ],
);
