import "server-only";
import { eq } from "drizzle-orm";
import { recordAudit } from "../audit/record";
import { type Ctx, inTransaction } from "../core/context";
import { ConflictError } from "../core/errors";
import { pgCode } from "../core/pg-error";
import type { Db } from "../db/client";
import { instanceSetup, projectMembers, projects, users } from "../db/schema";
import { type CreatedUser, insertUserWithPassword, type NewUserInput, userActor } from "./new-user";

/** True while no user exists: the first visit then shows the setup page. */
export async function needsSetup(db: Db): Promise<boolean> {
  const [row] = await db.select({ id: users.id }).from(users).limit(1);
  return !row;
}

/**
 * Creates the first user as owner of every project (the demo) and instance administrator
 * (docs/adr/0014-instance-administrators.md), in one transaction that first
 * claims instance_setup's single row: of two people racing, the second hits its primary key and
 * gets a ConflictError, and nothing of theirs is written. Anonymous callers (the setup page) are
 * recorded in the audit log as the new owner; the CLI as itself.
 */
export async function createFirstOwner(ctx: Ctx, input: NewUserInput): Promise<CreatedUser> {
  return inTransaction(ctx, async (tx) => {
    try {
      // The savepoint keeps a caller's outer transaction usable after the conflict.
      await tx.db.transaction((sp) => sp.insert(instanceSetup).values({ id: 1 }));
    } catch (e) {
      if (pgCode(e) === "23505") throw new ConflictError("Quiver is already set up: sign in instead");
      throw e;
    }
    // Defence in depth: a database that has users but lost its instance_setup row stays closed.
    if (!(await needsSetup(tx.db))) throw new ConflictError("Quiver is already set up: sign in instead");
    const user = await insertUserWithPassword(tx.db, input, { admin: true });
    await tx.db.update(instanceSetup).set({ ownerId: user.id }).where(eq(instanceSetup.id, 1));
    const all = await tx.db.select({ id: projects.id, name: projects.name }).from(projects);
    if (all.length > 0)
      await tx.db
        .insert(projectMembers)
        .values(all.map((p) => ({ projectId: p.id, userId: user.id, role: "owner" as const })));
    const audited = { ...tx, actor: tx.actor.kind === "anonymous" ? userActor(user) : tx.actor };
    await recordAudit(audited, {
      action: "user.create",
      objectType: "user",
      objectName: user.email,
      after: { name: user.name, email: user.email, firstOwner: true, admin: true },
    });
    for (const p of all)
      await recordAudit(audited, {
        project: p,
        action: "member.add",
        objectType: "member",
        objectName: user.email,
        after: { role: "owner" },
      });
    return user;
  });
}
