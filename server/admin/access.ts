import "server-only";
import { eq } from "drizzle-orm";
import { UnauthorizedError } from "../auth/authorize";
import type { Ctx } from "../core/context";
import { ForbiddenError } from "../core/errors";
import { users } from "../db/schema";

/**
 * Instance administrators (docs/adr/0014-instance-administrators.md): people with `users.is_admin`,
 * read from the database on every call rather than carried on the actor, so a revoked admin loses
 * the right on their next request. Quiver itself and the local CLI are trusted like everywhere;
 * an API key is never an administrator.
 */
export async function isInstanceAdmin(ctx: Ctx): Promise<boolean> {
  const { actor } = ctx;
  if (actor.kind === "system" || actor.kind === "local") return true;
  if (actor.kind !== "user") return false;
  const [row] = await ctx.db
    .select({ isAdmin: users.isAdmin })
    .from(users)
    .where(eq(users.id, actor.id))
    .limit(1);
  return row?.isAdmin === true;
}

export const ADMINS_ONLY = "instance administrators only: ask one to do this, or to make you one";

/** The gate of every instance-level service: 401 when nobody is signed in, 403 for anyone but an admin. */
export async function requireInstanceAdmin(ctx: Ctx): Promise<void> {
  if (ctx.actor.kind === "anonymous") throw new UnauthorizedError();
  if (!(await isInstanceAdmin(ctx))) throw new ForbiddenError(ADMINS_ONLY);
}
