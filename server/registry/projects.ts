import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Ctx } from "../context";
import { projects } from "../db/schema";
import { NotFoundError } from "../errors";
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

/** Creates the project when missing; returns it either way. */
export async function ensureProject({ ctx, input }: { ctx: Ctx; input: z.input<typeof ProjectInput> }) {
  const data = parseInput(ProjectInput, input);
  await ctx.db.insert(projects).values(data).onConflictDoNothing({ target: projects.name });
  return requireProject(ctx, data.name);
}

export async function listProjects({ ctx }: { ctx: Ctx }): Promise<ProjectRow[]> {
  return ctx.db.select().from(projects).orderBy(asc(projects.name));
}
