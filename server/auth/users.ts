import "server-only";
import { z } from "zod";
import { requireInstanceAdmin } from "../admin/access";
import { setInstanceAdmin } from "../admin/admins";
import { recordAudit } from "../audit/record";
import { type Ctx, inTransaction } from "../core/context";
import { ConflictError, InvalidError } from "../core/errors";
import { Name } from "../core/name";
import { projectMembers } from "../db/schema";
import { defineOperation } from "../operations/define";
import { type CreatedUser, insertUserWithPassword, NewUserInput } from "./new-user";
import * as out from "./outputs";
import { ROLES } from "./roles";
import { createFirstOwner, needsSetup } from "./setup";

export const CreateUserInput = NewUserInput.extend({
  /** The project the user joins, with `role`; ignored for the first user (owner of every project). */
  project: Name.optional(),
  role: z.enum(ROLES).optional(),
  /**
   * An instance administrator (`quiver user create --admin`), who may then go without a project;
   * only an administrator makes one. The first user always is one.
   */
  admin: z.boolean().optional(),
});
export type CreateUserInput = z.input<typeof CreateUserInput>;

export type CreateUserResult = z.output<typeof out.CreateUserResult>;

/**
 * `quiver user create`: the first user becomes owner of every project and instance administrator,
 * exactly like the setup page (and claims it, so the page closes); any later user joins one project
 * with one role, which needs members.manage there, or is made an administrator (`admin`), with or
 * without a project. An email that has an account already is refused, never changed. Who may do
 * which depends on the input, so beyond being signed in it is checked here.
 */
export const createUserOp = defineOperation({
  name: "users.create",
  summary: "Create a user: the first owns every project; later ones join a project, or administer.",
  kind: "mutation",
  access: "trusted",
  input: CreateUserInput,
  output: out.CreateUserResult,
  doors: ["cli"],
  run: async ({ ctx, input }): Promise<CreateUserResult> => {
    const { project, role, admin = false, ...person } = input;
    if (await needsSetup(ctx.db)) return { user: await createFirstOwner(ctx, person), firstOwner: true };
    if (!admin) {
      if (!project || !role)
        throw new InvalidError(
          "Quiver already has users: give the project and role the new user joins, or make them an instance administrator (--admin)",
          "project",
        );
      return {
        user: await createAccountInProject({ ctx, input: { ...person, project, role } }),
        firstOwner: false,
      };
    }
    await requireInstanceAdmin(ctx);
    if ((project === undefined) !== (role === undefined))
      throw new InvalidError("give the project and the role together, or neither", "project");
    const user = await inTransaction(ctx, async (tx) => {
      const made =
        project && role
          ? await createAccountInProject({ ctx: tx, input: { ...person, project, role } })
          : await createAccount(tx, person);
      await setInstanceAdmin({ ctx: tx, input: { email: made.email, admin: true } });
      return made;
    }).catch((e: unknown) => {
      if (!(e instanceof ConflictError && e.field === "email")) throw e;
      const email = person.email.trim().toLowerCase();
      throw new ConflictError(
        `${email} already has an account: make it an administrator with \`npx quiver user admin --email ${email}\``,
        "email",
      );
    });
    return { user, firstOwner: false };
  },
});
export const createUser = createUserOp.call;

/** An account in no project (an administrator's), audited without a project. */
async function createAccount(ctx: Ctx, person: NewUserInput): Promise<CreatedUser> {
  const user = await insertUserWithPassword(ctx.db, person);
  await recordAudit(ctx, {
    action: "user.create",
    objectType: "user",
    objectName: user.email,
    after: { name: user.name, email: user.email },
  });
  return user;
}

export const CreateAccountInput = NewUserInput.extend({ project: Name, role: z.enum(ROLES) });

/**
 * An owner makes an account in Settings and adds it to the project, in one transaction. Never the
 * first owner (that is the setup page's job): an email that already has an account is refused, and
 * the owner is pointed at "Add member" instead.
 */
export const createAccountInProjectOp = defineOperation({
  name: "access.createUser",
  summary: "Make an account with a temporary password and add it to the project.",
  kind: "mutation",
  access: "members.manage",
  input: CreateAccountInput,
  output: out.CreatedUser,
  run: ({ ctx, input: { project: _, role, ...person }, project: p }) =>
    inTransaction(ctx, async (tx): Promise<CreatedUser> => {
      const user = await insertUserWithPassword(tx.db, person).catch((e: unknown) => {
        if (e instanceof ConflictError && e.field === "email")
          throw new ConflictError(
            `${person.email.trim().toLowerCase()} already has an account: add them as a member instead`,
            "email",
          );
        throw e;
      });
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
      return user;
    }),
});
export const createAccountInProject = createAccountInProjectOp.call;
