import "server-only";
import { and, desc, eq, or } from "drizzle-orm";
import { z } from "zod";
import { auditLog, users } from "../db/schema";
import { defineOperation } from "../operations/define";
import * as out from "./outputs";

export const SIGN_INS_SHOWN = 10;

export const ListMySignInsInput = z
  .object({ limit: z.number().int().min(1).max(50).default(SIGN_INS_SHOWN) })
  .default({ limit: SIGN_INS_SHOWN });

export interface SignIn {
  id: number;
  at: Date;
  /** "failed": someone typed this account's email with a wrong password (or while it was throttled). */
  outcome: "success" | "failed";
  /** The client address Quiver's server saw (x-quiver-client-ip); null when none was recorded. */
  ip: string | null;
}

/**
 * The caller's own recent sign-ins, newest first (the account menu): their `auth.login` entries
 * and the `auth.login_failed` entries naming their email, whoever typed it. Anyone signed in as a
 * person; an API key or Quiver's own actors have no sign-ins and get an empty list.
 */
export const listMySignInsOp = defineOperation({
  name: "account.signIns",
  summary: "The caller's own recent sign-ins and failed sign-ins, newest first.",
  kind: "query",
  access: "signed_in",
  input: ListMySignInsInput,
  output: z.array(out.SignIn),
  run: async ({ ctx, input: { limit } }): Promise<SignIn[]> => {
    const { actor } = ctx;
    if (actor.kind !== "user") return [];
    const [me] = await ctx.db
      .select({ email: users.email })
      .from(users)
      .where(eq(users.id, actor.id))
      .limit(1);
    if (!me) return [];
    const rows = await ctx.db
      .select({ id: auditLog.id, action: auditLog.action, after: auditLog.after, at: auditLog.createdAt })
      .from(auditLog)
      .where(
        or(
          and(eq(auditLog.action, "auth.login"), eq(auditLog.actorId, actor.id)),
          and(eq(auditLog.action, "auth.login_failed"), eq(auditLog.objectName, me.email)),
        ),
      )
      .orderBy(desc(auditLog.id))
      .limit(limit);
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      outcome: r.action === "auth.login" ? "success" : "failed",
      ip: ipOf(r.after),
    }));
  },
});
export const listMySignIns = listMySignInsOp.call;

/** Entries written before addresses were recorded have none. */
function ipOf(after: unknown): string | null {
  if (after && typeof after === "object" && "ip" in after && typeof after.ip === "string") return after.ip;
  return null;
}
