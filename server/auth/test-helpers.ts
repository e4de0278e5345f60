import { randomUUID } from "node:crypto";
import type { Actor, Ctx } from "../core/context";
import { projectMembers, users } from "../db/schema";
import { ensureProject } from "../registry";
import type { Role } from "./roles";

/** Test users and memberships written straight to the tables (sign-up is another door's job). */

export async function insertUser(ctx: Ctx, email: string): Promise<Extract<Actor, { kind: "user" }>> {
  const id = randomUUID();
  const name = email.split("@")[0] ?? email;
  await ctx.db.insert(users).values({ id, name, email });
  return { kind: "user", id, name };
}

export async function addProjectWithMember(ctx: Ctx, project: string, userId: string, role: Role) {
  const p = await ensureProject({ ctx, input: { name: project } });
  await ctx.db.insert(projectMembers).values({ projectId: p.id, userId, role }).onConflictDoNothing();
  return p;
}
