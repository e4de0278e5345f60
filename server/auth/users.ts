import { recordAudit } from "../audit/record";
import { type Ctx, inTransaction } from "../context";
import { projectMembers } from "../db/schema";
import { InvalidError } from "../errors";
import { authorize } from "./authorize";
import { type CreatedUser, insertUserWithPassword, type NewUserInput } from "./new-user";
import type { Role } from "./roles";
import { createFirstOwner, needsSetup } from "./setup";

export interface CreateUserInput extends NewUserInput {
  /** The project the user joins, with `role`; ignored for the first user (owner of every project). */
  project?: string;
  role?: Role;
}

export interface CreateUserResult {
  user: CreatedUser;
  /** True when this was the first user, now owner of every project. */
  firstOwner: boolean;
}

/**
 * `quiver user create`: the first user becomes owner of every project, exactly like the setup page
 * (and claims it, so the page closes); any later user joins one project with one role, which needs
 * members.manage there.
 */
export async function createUser(ctx: Ctx, input: CreateUserInput): Promise<CreateUserResult> {
  const { project, role, ...person } = input;
  if (await needsSetup(ctx.db)) return { user: await createFirstOwner(ctx, person), firstOwner: true };
  if (!project || !role)
    throw new InvalidError(
      "Quiver already has users: give the project and role the new user joins",
      "project",
    );
  return inTransaction(ctx, async (tx) => {
    const p = await authorize(tx, project, "members.manage");
    const user = await insertUserWithPassword(tx.db, person);
    await tx.db.insert(projectMembers).values({ projectId: p.id, userId: user.id, role });
    await recordAudit(tx, {
      action: "user.create",
      objectType: "user",
      objectName: user.email,
      after: { name: user.name, email: user.email },
    });
    await recordAudit(tx, {
      project: { id: p.id, name: p.name },
      action: "member.add",
      objectType: "member",
      objectName: user.email,
      after: { role },
    });
    return { user, firstOwner: false };
  });
}
