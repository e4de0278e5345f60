import "server-only";
import { and, desc, eq, gte, ilike, lt, lte, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { Name } from "../core/name";
import { AUDIT_OBJECT_TYPES, isOneOf } from "../core/vocabulary";
import type { Db } from "../db/client";
import { auditLog } from "../db/schema";
import { defineOperation } from "../operations/define";
import * as out from "./outputs";

export const AUDIT_PAGE_MAX = 200;

const Filter = z.string().trim().min(1).max(200).optional();

/** The filters and paging of every audit view: a project's (here) and the instance's (./instance.ts). */
export const AuditFilterInput = z.object({
  /** Exact action, e.g. "feature_view.update". */
  action: Filter,
  /** Part of the actor's name, any case. */
  actorName: Filter,
  objectType: Filter,
  /** Part of the object's name, any case. */
  objectName: Filter,
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  limit: z.number().int().min(1).max(AUDIT_PAGE_MAX).default(50),
  /** The `nextCursor` of the previous page: entries older than it (ids only grow). */
  cursor: z.number().int().positive().optional(),
});

export const ListAuditLogInput = AuditFilterInput.extend({ project: Name });
export type ListAuditLogInput = z.input<typeof ListAuditLogInput>;

export interface AuditLogEntry {
  id: number;
  actorKind: string;
  actorName: string;
  action: string;
  objectType: string;
  objectName: string;
  before: unknown;
  after: unknown;
  createdAt: Date;
}

export interface AuditLogPage {
  items: AuditLogEntry[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor: number | null;
}

/** `%` and `_` in a user's filter are literal characters, not wildcards. */
function contains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The WHERE terms of the filters and the cursor (undefined terms are dropped by and()). */
export function auditFilterTerms(q: z.output<typeof AuditFilterInput>): (SQL | undefined)[] {
  return [
    q.action ? eq(auditLog.action, q.action) : undefined,
    q.actorName ? ilike(auditLog.actorName, contains(q.actorName)) : undefined,
    // A type no entry can have (the column's CHECK) matches nothing.
    q.objectType
      ? isOneOf(AUDIT_OBJECT_TYPES, q.objectType)
        ? eq(auditLog.objectType, q.objectType)
        : sql`false`
      : undefined,
    q.objectName ? ilike(auditLog.objectName, contains(q.objectName)) : undefined,
    q.from ? gte(auditLog.createdAt, q.from) : undefined,
    q.to ? lte(auditLog.createdAt, q.to) : undefined,
    q.cursor ? lt(auditLog.id, q.cursor) : undefined,
  ];
}

/**
 * One page of the entries matching `where`, newest first, with the cursor of the next (`limit + 1`
 * rows tell whether there is one). Project and instance pages both read through it.
 */
export async function auditPage(
  db: Db,
  where: (SQL | undefined)[],
  limit: number,
): Promise<{ items: (AuditLogEntry & { project: string | null })[]; nextCursor: number | null }> {
  const rows = await db
    .select({
      id: auditLog.id,
      project: auditLog.project,
      actorKind: auditLog.actorKind,
      actorName: auditLog.actorName,
      action: auditLog.action,
      objectType: auditLog.objectType,
      objectName: auditLog.objectName,
      before: auditLog.before,
      after: auditLog.after,
      createdAt: auditLog.createdAt,
    })
    .from(auditLog)
    .where(and(...where))
    .orderBy(desc(auditLog.id))
    .limit(limit + 1);
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? last.id : null };
}

/**
 * A project's audit log, newest first, in pages keyed by id (stable while entries keep arriving).
 * Owners only: the log holds before/after of every definition and key change.
 */
export const listAuditLogOp = defineOperation({
  name: "audit.list",
  summary: "A project's audit log, newest first, filtered and paged by id.",
  kind: "query",
  access: "audit.read",
  input: ListAuditLogInput,
  output: out.AuditLogPage,
  run: ({ ctx, input: q, project }): Promise<AuditLogPage> => {
    const where = [eq(auditLog.projectId, project.id), ...auditFilterTerms(q)];
    return auditPage(ctx.db, where, q.limit);
  },
});
export const listAuditLog = listAuditLogOp.call;
