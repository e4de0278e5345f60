import { bigint, check, index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { ACTOR_KINDS, AUDIT_OBJECT_TYPES } from "../../core/vocabulary";
import { oneOf } from "./common";

/**
 * Append-only record of changes: written in the same transaction as the change it describes.
 * A trigger (migration 0004) refuses UPDATE and DELETE, so no door can edit it. No foreign keys:
 * an entry outlives the project, user or key it names.
 */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    projectId: uuid("project_id"),
    project: text("project"),
    actorKind: text("actor_kind", { enum: ACTOR_KINDS }).notNull(),
    actorId: text("actor_id"),
    actorName: text("actor_name").notNull(),
    /** What happened, as "noun.verb": "feature_view.update", "api_key.revoke", "auth.login". */
    action: text("action").notNull(),
    objectType: text("object_type", { enum: AUDIT_OBJECT_TYPES }).notNull(),
    objectName: text("object_name").notNull(),
    before: jsonb("before"),
    after: jsonb("after"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("audit_log_project_created_idx").on(t.projectId, t.createdAt),
    // Serves the audit page: one project's entries newest first, paged by id (server/audit/list.ts).
    index("audit_log_project_id_idx").on(t.projectId, t.id),
    index("audit_log_action_idx").on(t.action),
    check("audit_log_actor_kind_check", oneOf(t.actorKind, ACTOR_KINDS)),
    check("audit_log_object_type_check", oneOf(t.objectType, AUDIT_OBJECT_TYPES)),
  ],
);
