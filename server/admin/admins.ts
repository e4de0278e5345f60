import "server-only";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "../audit/record";
import { inTransaction } from "../core/context";
import { NotFoundError } from "../core/errors";
import { users } from "../db/schema";
import { defineOperation } from "../operations/define";
import * as out from "./outputs";

export const SetInstanceAdminInput = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email("enter an email address like ada@example.com")),
  admin: z.boolean(),
});

export type SetInstanceAdminResult = z.output<typeof out.SetInstanceAdminResult>;

/**
 * Makes an existing user an instance administrator, or takes it away (`quiver user admin`);
 * administrators only, audited as `user.admin_grant` / `user.admin_revoke` without a project.
 * A revoke applies from the user's next request: the flag is read on every call.
 */
export const setInstanceAdminOp = defineOperation({
  name: "users.setAdmin",
  summary: "Make an existing user an instance administrator, or no longer one.",
  kind: "mutation",
  access: "instance.admin",
  input: SetInstanceAdminInput,
  output: out.SetInstanceAdminResult,
  doors: ["cli"],
  run: ({ ctx, input: { email, admin } }) =>
    inTransaction(ctx, async (tx): Promise<SetInstanceAdminResult> => {
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
    }),
});
export const setInstanceAdmin = setInstanceAdminOp.call;
