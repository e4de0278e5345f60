import "server-only";
import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "../audit/record";
import { type Ctx, inTransaction } from "../core/context";
import { ConflictError, InvalidError, NotFoundError } from "../core/errors";
import { Name } from "../core/name";
import { projectMembers, users } from "../db/schema";
import { defineOperation } from "../operations/define";
import type { ProjectRow } from "./authorize";
import * as out from "./outputs";
import { ROLES, type Role } from "./roles";

/** Who belongs to a project and with which role. Only owners manage them; a project keeps one owner. */

export const ListMembersInput = z.object({ project: Name });
export const AddMemberInput = z.object({
  project: Name,
  email: z.string().trim().toLowerCase().pipe(z.email("enter an email address like ada@example.com")),
  role: z.enum(ROLES),
});
export const ChangeRoleInput = z.object({ project: Name, userId: z.string().min(1), role: z.enum(ROLES) });
export const RemoveMemberInput = z.object({ project: Name, userId: z.string().min(1) });

export interface Member {
  userId: string;
  name: string;
  email: string;
  role: Role;
  createdAt: Date;
}

const memberColumns = {
  userId: projectMembers.userId,
  name: users.name,
  email: users.email,
  role: projectMembers.role,
  createdAt: projectMembers.createdAt,
};

export const listMembersOp = defineOperation({
  name: "access.members.list",
  summary: "A project's members and their roles, by email.",
  kind: "query",
  access: "members.manage",
  input: ListMembersInput,
  output: z.array(out.Member),
  run: ({ ctx, project: p }) =>
    ctx.db
      .select(memberColumns)
      .from(projectMembers)
      .innerJoin(users, eq(users.id, projectMembers.userId))
      .where(eq(projectMembers.projectId, p.id))
      .orderBy(asc(users.email)),
});
export const listMembers = listMembersOp.call;

export const addMemberOp = defineOperation({
  name: "access.members.add",
  summary: "Add a user who has an account to the project, with a role.",
  kind: "mutation",
  access: "members.manage",
  input: AddMemberInput,
  output: out.Member,
  run: ({ ctx, input: { project, email, role }, project: p }) =>
    inTransaction(ctx, async (tx): Promise<Member> => {
      const [user] = await tx.db.select().from(users).where(eq(users.email, email)).limit(1);
      if (!user)
        throw new InvalidError(
          `email: no user with email "${email}"; they must have an account first`,
          "email",
        );
      const [row] = await tx.db
        .insert(projectMembers)
        .values({ projectId: p.id, userId: user.id, role })
        .onConflictDoNothing()
        .returning();
      if (!row) throw new ConflictError(`${email} is already a member of project "${project}"`, "email");
      await recordAudit(tx, {
        project: p,
        action: "member.add",
        objectType: "member",
        objectName: email,
        after: { email, role },
      });
      return { userId: user.id, name: user.name, email: user.email, role, createdAt: row.createdAt };
    }),
});
export const addMember = addMemberOp.call;

export const changeRoleOp = defineOperation({
  name: "access.members.changeRole",
  summary: "Change a member's role; a project keeps at least one owner.",
  kind: "mutation",
  access: "members.manage",
  input: ChangeRoleInput,
  output: out.Member,
  run: ({ ctx, input: { userId, role }, project: p }) =>
    inTransaction(ctx, async (tx): Promise<Member> => {
      const { current, lastOwner } = await lockMembers(tx, p, userId);
      if (current.role === role) return current;
      if (lastOwner) throw lastOwnerError(p, "demote");
      await tx.db
        .update(projectMembers)
        .set({ role })
        .where(and(eq(projectMembers.projectId, p.id), eq(projectMembers.userId, userId)));
      await recordAudit(tx, {
        project: p,
        action: "member.role",
        objectType: "member",
        objectName: current.email,
        before: { email: current.email, role: current.role },
        after: { email: current.email, role },
      });
      return { ...current, role };
    }),
});
export const changeRole = changeRoleOp.call;

export const removeMemberOp = defineOperation({
  name: "access.members.remove",
  summary: "Remove a member from the project; a project keeps at least one owner.",
  kind: "mutation",
  access: "members.manage",
  input: RemoveMemberInput,
  output: z.void(),
  run: async ({ ctx, input: { userId }, project: p }) => {
    await inTransaction(ctx, async (tx) => {
      const { current, lastOwner } = await lockMembers(tx, p, userId);
      if (lastOwner) throw lastOwnerError(p, "remove");
      await tx.db
        .delete(projectMembers)
        .where(and(eq(projectMembers.projectId, p.id), eq(projectMembers.userId, userId)));
      await recordAudit(tx, {
        project: p,
        action: "member.remove",
        objectType: "member",
        objectName: current.email,
        before: { email: current.email, role: current.role },
      });
    });
  },
});
export const removeMember = removeMemberOp.call;

/**
 * Locks the project's member rows (so two owners demoting each other at once cannot leave none)
 * and returns the one of `userId`, and whether it is the project's only owner.
 */
async function lockMembers(tx: Ctx, p: ProjectRow, userId: string) {
  const members = await tx.db
    .select(memberColumns)
    .from(projectMembers)
    .innerJoin(users, eq(users.id, projectMembers.userId))
    .where(eq(projectMembers.projectId, p.id))
    .for("update", { of: projectMembers });
  const current = members.find((m) => m.userId === userId);
  if (!current) throw new NotFoundError(`no member ${userId} in project "${p.name}"`, "userId");
  const owners = members.filter((m) => m.role === "owner").length;
  return { current, lastOwner: current.role === "owner" && owners === 1 };
}

function lastOwnerError(p: ProjectRow, op: "remove" | "demote"): ConflictError {
  return new ConflictError(
    `cannot ${op} the last owner of project "${p.name}"; make someone else owner first`,
  );
}
