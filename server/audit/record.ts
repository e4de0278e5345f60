import "server-only";
import type { Ctx } from "../core/context";
import type { AuditObjectType } from "../core/vocabulary";
import { auditLog } from "../db/schema";

export interface AuditEntry {
  project?: { id: string; name: string } | null;
  /** "noun.verb", e.g. "feature_view.update", "materialization.start", "api_key.revoke", "auth.login". */
  action: string;
  objectType: AuditObjectType;
  objectName: string;
  before?: unknown;
  after?: unknown;
}

/**
 * Appends an audit entry with ctx's actor. Call it with the transaction's ctx of the change it
 * records: the entry commits with the change or not at all.
 */
export async function recordAudit(ctx: Ctx, entry: AuditEntry): Promise<void> {
  const a = ctx.actor;
  await ctx.db.insert(auditLog).values({
    projectId: entry.project?.id ?? null,
    project: entry.project?.name ?? null,
    actorKind: a.kind,
    actorId: a.kind === "user" || a.kind === "api_key" ? a.id : null,
    actorName: a.kind === "anonymous" ? "anonymous" : a.name,
    action: entry.action,
    objectType: entry.objectType,
    objectName: entry.objectName,
    before: entry.before ?? null,
    after: entry.after ?? null,
  });
}
