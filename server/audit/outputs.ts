import "server-only";
import { z } from "zod";

/** What the audit operations answer (./list.ts, ./instance.ts, ./sign-ins.ts). */

export const AuditLogEntry = z.object({
  id: z.number(),
  actorKind: z.string(),
  actorName: z.string(),
  action: z.string(),
  objectType: z.string(),
  objectName: z.string(),
  before: z.unknown(),
  after: z.unknown(),
  createdAt: z.date(),
});

/** `nextCursor`: pass it back as `cursor` for the next (older) page; null on the last page. */
export const AuditLogPage = z.object({ items: z.array(AuditLogEntry), nextCursor: z.number().nullable() });

/** An instance audit entry names the project it was recorded in; null for instance-level entries. */
export const InstanceAuditEntry = AuditLogEntry.extend({ project: z.string().nullable() });

export const InstanceAuditPage = z.object({
  items: z.array(InstanceAuditEntry),
  nextCursor: z.number().nullable(),
});

export const SignIn = z.object({
  id: z.number(),
  at: z.date(),
  outcome: z.enum(["success", "failed"]),
  ip: z.string().nullable(),
});
