import "server-only";
import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "../audit/record";
import { UnauthorizedError } from "../auth/authorize";
import type { Role } from "../auth/roles";
import { type Ctx, inTransaction } from "../core/context";
import { ConflictError, ForbiddenError, InvalidError, NotFoundError, UnavailableError } from "../core/errors";
import { Name } from "../core/name";
import { parseInput } from "../core/parse-input";
import { projectMembers, projects } from "../db/schema";
import { describeOfflineError } from "../offline/errors";
import { isReservedSchema } from "../offline/roles";
import { defineOperation, NoInput } from "../operations/define";
import { schemaOwner } from "./offline-space";
import * as out from "./outputs";

export type ProjectRow = typeof projects.$inferSelect;

export const ProjectInput = z.object({ name: Name, description: z.string().max(4000).default("") });

/** The project with this name, or NotFoundError. Every project-scoped service starts here. */
export async function requireProject(ctx: Ctx, name: string): Promise<ProjectRow> {
  const [row] = await ctx.db.select().from(projects).where(eq(projects.name, name)).limit(1);
  if (!row) throw new NotFoundError(`project "${name}" not found`, "project");
  return row;
}

/**
 * Creates the project when missing; returns it either way. Only Quiver itself and the local CLI
 * create projects for now; people get projects by being added to them.
 */
export async function ensureProject({ ctx, input }: { ctx: Ctx; input: z.input<typeof ProjectInput> }) {
  if (ctx.actor.kind !== "system" && ctx.actor.kind !== "local")
    throw new ForbiddenError("projects are created by an administrator (npx quiver) for now");
  const data = await parseNewProject(ctx, input);
  await ctx.db.insert(projects).values(data).onConflictDoNothing({ target: projects.name });
  return requireProject(ctx, data.name);
}

/**
 * Parses a new project and checks its name is free as an offline schema too: the project's schema
 * is named after it by default (docs/adr/0013-offline-isolation.md).
 */
async function parseNewProject(ctx: Ctx, input: z.input<typeof ProjectInput>) {
  const data = parseInput(ProjectInput, input);
  if (isReservedSchema(data.name))
    throw new InvalidError(
      `name: "${data.name}" is reserved by Postgres; choose another project name`,
      "name",
    );
  const owner = await schemaOwner(ctx.db, data.name);
  if (owner && owner !== data.name)
    throw new ConflictError(`name: offline schema "${data.name}" belongs to project "${owner}"`, "name");
  return data;
}

/**
 * An instance administrator creates a project (the UI's "New project"); Quiver itself and the
 * local CLI may too. A person who creates one becomes its owner. The project's offline space
 * (roles and schema) is set up before the transaction commits: when that fails, nothing is
 * created and the error says why. Audited as `project.create` in the new project.
 */
export const createProjectOp = defineOperation({
  name: "admin.createProject",
  summary: "Create a project, owned by the administrator who creates it, with its offline space.",
  kind: "mutation",
  access: "instance.admin",
  input: ProjectInput,
  output: out.Project.omit({ role: true }),
  run: async ({ ctx, input }): Promise<ProjectRow> => {
    const data = await parseNewProject(ctx, input);
    return inTransaction(ctx, async (tx) => {
      const [row] = await tx.db
        .insert(projects)
        .values(data)
        .onConflictDoNothing({ target: projects.name })
        .returning();
      if (!row) throw new ConflictError(`name: a project named "${data.name}" exists already`, "name");
      const project = { id: row.id, name: row.name };
      const { actor } = tx;
      await recordAudit(tx, {
        project,
        action: "project.create",
        objectType: "project",
        objectName: row.name,
        after: { name: row.name, description: row.description },
      });
      if (actor.kind === "user") {
        await tx.db.insert(projectMembers).values({ projectId: row.id, userId: actor.id, role: "owner" });
        await recordAudit(tx, {
          project,
          action: "member.add",
          objectType: "member",
          objectName: actor.name,
          after: { role: "owner" },
        });
      }
      try {
        await tx.offline.provision(row.name);
      } catch (e) {
        tx.log.error({ err: e, project: row.name }, "could not set up the new project's offline space");
        const why = describeOfflineError(e, tx.offline.timeouts.writeMs).message;
        throw new UnavailableError(
          `project "${row.name}" was not created: its offline space (schema "${row.name}" and its roles in ` +
            `database "${tx.offline.database}") could not be set up: ${why}. Check that Quiver's offline ` +
            "administrator may create roles and schemas (`npx quiver offline check`), then try again",
        );
      }
      return row;
    });
  },
});
export const createProject = createProjectOp.call;

/** The projects the actor may see: a user's memberships, a key's own project, all for Quiver itself. */
export const listProjectsOp = defineOperation({
  name: "projects.list",
  summary: "The projects the caller may see, with the caller's role in each.",
  kind: "query",
  access: "signed_in",
  input: NoInput,
  output: z.array(out.Project),
  run: async ({ ctx }): Promise<(ProjectRow & { role: Role | null })[]> => {
    const { actor } = ctx;
    if (actor.kind === "anonymous") throw new UnauthorizedError(); // the gate refused already
    if (actor.kind === "system" || actor.kind === "local") {
      const rows = await ctx.db.select().from(projects).orderBy(asc(projects.name));
      return rows.map((r) => ({ ...r, role: null }));
    }
    if (actor.kind === "api_key") {
      const rows = await ctx.db.select().from(projects).where(eq(projects.id, actor.projectId));
      return rows.map((r) => ({ ...r, role: actor.role }));
    }
    const rows = await ctx.db
      .select({ project: projects, role: projectMembers.role })
      .from(projects)
      .innerJoin(projectMembers, eq(projectMembers.projectId, projects.id))
      .where(eq(projectMembers.userId, actor.id))
      .orderBy(asc(projects.name));
    return rows.map((r) => ({ ...r.project, role: r.role }));
  },
});
export const listProjects = listProjectsOp.call;
