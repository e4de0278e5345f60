import "server-only";
import { z } from "zod";
import { ListAuditLogInput, listAuditLog } from "../../audit/list";
import { procedure, router } from "../init";

const AuditLogEntry = z.object({
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

export const auditRouter = router({
  list: procedure
    .meta({ action: "audit.read" })
    .input(ListAuditLogInput)
    .output(z.object({ items: z.array(AuditLogEntry), nextCursor: z.number().nullable() }))
    .query(({ ctx, input }) => listAuditLog({ ctx: ctx.svc, input })),
});
