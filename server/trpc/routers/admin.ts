import "server-only";
import { z } from "zod";
import { ListInstanceAuditInput, listInstanceAudit } from "../../audit/instance";
import { createProject, ProjectInput } from "../../registry/projects";
import { procedure, router } from "../init";

/** Instance-level doors, for instance administrators (docs/adr/0014-instance-administrators.md). */

const InstanceAuditEntry = z.object({
  id: z.number(),
  project: z.string().nullable(),
  actorKind: z.string(),
  actorName: z.string(),
  action: z.string(),
  objectType: z.string(),
  objectName: z.string(),
  before: z.unknown(),
  after: z.unknown(),
  createdAt: z.date(),
});

const CreatedProject = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  createdAt: z.date(),
});

export const adminRouter = router({
  /** Every audit entry: sign-ins, accounts and administrators (no project) and every project's. */
  audit: procedure
    .meta({ action: "instance.admin" })
    .input(ListInstanceAuditInput)
    .output(z.object({ items: z.array(InstanceAuditEntry), nextCursor: z.number().nullable() }))
    .query(({ ctx, input }) => listInstanceAudit({ ctx: ctx.svc, input })),
  /** A new project, owned by the administrator who creates it. */
  createProject: procedure
    .meta({ action: "instance.admin" })
    .input(ProjectInput)
    .output(CreatedProject)
    .mutation(({ ctx, input }) => createProject({ ctx: ctx.svc, input })),
});
