import "server-only";
import { and, eq } from "drizzle-orm";
import type { Ctx } from "../core/context";
import { DomainError, ForbiddenError, NotFoundError } from "../core/errors";
import type { Db } from "../db/client";
import { projectMembers, projects } from "../db/schema";
import { ACTIONS, type Action, type Role, roleAllows } from "./roles";

export type ProjectRow = typeof projects.$inferSelect;

export class UnauthorizedError extends DomainError {
  constructor(message = "sign in, or send an API key in the Authorization or x-api-key header") {
    super("UNAUTHORIZED", message);
  }
}

function projectNotFound(name: string): NotFoundError {
  return new NotFoundError(`project "${name}" not found`, "project");
}

/**
 * The gate every project-scoped service passes first: returns the project when the actor may do
 * `action` in it. A project the actor cannot see answers exactly like a missing one (404), so
 * nothing of another project leaks; a member whose role is too low gets 403 naming the role needed.
 */
export async function authorize(ctx: Ctx, projectName: string, action: Action): Promise<ProjectRow> {
  const { actor } = ctx;
  if (actor.kind === "anonymous") throw new UnauthorizedError();
  if (actor.kind === "system" || actor.kind === "local") {
    const row = await projectNamed(ctx, projectName);
    if (!row) throw projectNotFound(projectName);
    return row;
  }
  let role: Role;
  let project: ProjectRow;
  if (actor.kind === "api_key") {
    const row = await projectNamed(ctx, projectName);
    if (!row || row.id !== actor.projectId) throw projectNotFound(projectName);
    project = row;
    role = actor.role;
  } else {
    const row = await membership(ctx, actor.id, projectName);
    if (!row) throw projectNotFound(projectName);
    project = row.project;
    role = row.role;
  }
  if (!roleAllows(role, action))
    throw new ForbiddenError(
      `${action} in project "${projectName}" needs the ${ACTIONS[action]} role; you are ${role}`,
    );
  return project;
}

/** From the process's registry cache when the context has one (serving), else from the database. */
function projectNamed(ctx: Ctx, name: string): Promise<ProjectRow | undefined> {
  return ctx.registry ? ctx.registry.project(name) : loadProject(ctx.db, name);
}

function membership(
  ctx: Ctx,
  userId: string,
  projectName: string,
): Promise<{ project: ProjectRow; role: Role } | undefined> {
  return ctx.registry
    ? ctx.registry.membership(userId, projectName)
    : loadMembership(ctx.db, userId, projectName);
}

/** A project by name, from the database (the registry cache loads it with this too). */
export async function loadProject(db: Db, name: string): Promise<ProjectRow | undefined> {
  const [row] = await db.select().from(projects).where(eq(projects.name, name)).limit(1);
  return row;
}

/** A user's role in a project by name, from the database; undefined for a non-member. */
export async function loadMembership(
  db: Db,
  userId: string,
  projectName: string,
): Promise<{ project: ProjectRow; role: Role } | undefined> {
  const [row] = await db
    .select({ project: projects, role: projectMembers.role })
    .from(projects)
    .innerJoin(projectMembers, eq(projectMembers.projectId, projects.id))
    .where(and(eq(projects.name, projectName), eq(projectMembers.userId, userId)))
    .limit(1);
  return row;
}
