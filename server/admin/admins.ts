import "server-only";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "../audit/record";
import { type Ctx, inTransaction } from "../core/context";
import { NotFoundError } from "../core/errors";
import { parseInput } from "../core/parse-input";
import { users } from "../db/schema";
import { requireInstanceAdmin } from "./access";

export const SetInstanceAdminInput = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email("enter an email address like ada@example.com")),
  admin: z.boolean(),
});

export interface SetInstanceAdminResult {
  email: string;
  admin: boolean;
  /** False when the user already was (or was not) an administrator: nothing was written. */
  changed: boolean;
}

/**
 * Makes an existing user an instance administrator, or takes it away (`quiver user admin`);
 * administrators only, audited as `user.admin_grant` / `user.admin_revoke` without a project.
 * A revoke applies from the user's next request: the flag is read on every call.
 */
export async function setInstanceAdmin({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: z.input<typeof SetInstanceAdminInput>;
}): Promise<SetInstanceAdminResult> {
  await requireInstanceAdmin(ctx);
  const { email, admin } = parseInput(SetInstanceAdminInput, input);
  return inTransaction(ctx, async (tx) => {
    const [user] = await tx.db
      .select({ id: users.id, isAdmin: users.isAdmin })
      .from(users)
      .where(eq(users.email, email))
      .for("update")
      .limit(1);
    if (!user) throw new NotFoundError(`no user with email ${email}`, "email");
    if (user.isAdmin === admin) return { email, admin, changed: false };
    await tx.db.update(users).set({ isAdmin: admin, updatedAt: new Date() }).where(eq(users.id, user.id));
    await recordAudit(tx, {
      action: admin ? "user.admin_grant" : "user.admin_revoke",
      objectType: "user",
      objectName: email,
      before: { admin: user.isAdmin },
      after: { admin },
    });
    return { email, admin, changed: true };
  });
}
