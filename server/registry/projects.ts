import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import { UnauthorizedError } from "../auth/authorize";
import type { Role } from "../auth/roles";
import type { Ctx } from "../context";
import { projectMembers, projects } from "../db/schema";
import { ConflictError, ForbiddenError, InvalidError, NotFoundError } from "../errors";
import { isReservedSchema } from "../offline/roles";
import { schemaOwner } from "./offline-space";
import { parseInput } from "./parse";
import { Name } from "./schemas";

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
  const data = parseInput(ProjectInput, input);
  // The project's offline schema is named after it by default (docs/adr/0013-offline-isolation.md).
  if (isReservedSchema(data.name))
    throw new InvalidError(
      `name: "${data.name}" is reserved by Postgres; choose another project name`,
      "name",
    );
  const owner = await schemaOwner(ctx.db, data.name);
  if (owner && owner !== data.name)
    throw new ConflictError(`name: offline schema "${data.name}" belongs to project "${owner}"`, "name");
  await ctx.db.insert(projects).values(data).onConflictDoNothing({ target: projects.name });
  return requireProject(ctx, data.name);
}

/** The projects the actor may see: a user's memberships, a key's own project, all for Quiver itself. */
export async function listProjects({ ctx }: { ctx: Ctx }): Promise<(ProjectRow & { role: Role | null })[]> {
  const { actor } = ctx;
  if (actor.kind === "anonymous") throw new UnauthorizedError();
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
}
