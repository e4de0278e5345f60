import "server-only";
import { eq, isNull, type SQL } from "drizzle-orm";
import { z } from "zod";
import { InvalidError } from "../core/errors";
import { Name } from "../core/name";
import { auditLog } from "../db/schema";
import { defineOperation } from "../operations/define";
import { AuditFilterInput, type AuditLogEntry, auditFilterTerms, auditPage } from "./list";
import * as out from "./outputs";

export const ListInstanceAuditInput = AuditFilterInput.extend({
  /** Only the entries recorded in this project (by the name they were recorded under). */
  project: Name.optional(),
  /** Only the entries of no project: sign-ins, failed sign-ins, accounts, administrators. */
  instanceOnly: z.boolean().optional(),
});
export type ListInstanceAuditInput = z.input<typeof ListInstanceAuditInput>;

export interface InstanceAuditEntry extends AuditLogEntry {
  /** The project the entry was recorded in; null for instance-level entries. */
  project: string | null;
}

export interface InstanceAuditPage {
  items: InstanceAuditEntry[];
  nextCursor: number | null;
}

/**
 * The whole instance's audit log for instance administrators, newest first, in pages keyed by id:
 * the entries of no project (auth.login, auth.login_failed, user.create, user.admin_grant, …) and
 * every project's, each with its project. Filters as on a project's audit page, plus the project.
 */
export const listInstanceAuditOp = defineOperation({
  name: "admin.audit",
  summary: "The whole instance's audit log (sign-ins, accounts, administrators, every project's).",
  kind: "query",
  access: "instance.admin",
  input: ListInstanceAuditInput,
  output: out.InstanceAuditPage,
  run: ({ ctx, input: q }): Promise<InstanceAuditPage> => {
    if (q.instanceOnly && q.project)
      throw new InvalidError("project: give a project or instance-level entries only, not both", "project");
    const where: (SQL | undefined)[] = [
      // Served by audit_log_project_id_idx (project_id, id): nulls are indexed too.
      q.instanceOnly ? isNull(auditLog.projectId) : undefined,
      q.project ? eq(auditLog.project, q.project) : undefined,
      ...auditFilterTerms(q),
    ];
    return auditPage(ctx.db, where, q.limit);
  },
});
export const listInstanceAudit = listInstanceAuditOp.call;
