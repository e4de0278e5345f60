import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import type { Ctx } from "../core/context";
import { ConflictError, ForbiddenError, InvalidError } from "../core/errors";
import { auditLog, instanceSetup, projectMembers, projects, users } from "../db/schema";
import { UnauthorizedError } from "./authorize";
import { needsSetup } from "./setup";
import { createAccountInProject, createUser } from "./users";

let t: TestDb;
let local: Ctx;
let ownerId = "";

beforeAll(async () => {
  t = await createTestDb();
  local = testCtx(t);
  await t.db.insert(projects).values([{ name: "demo" }, { name: "other" }]);
});
afterAll(() => t.drop());

const as = (id: string, name: string): Ctx => ({ ...local, actor: { kind: "user", id, name } });

describe("createUser", () => {
  it("makes the first user owner of every project and closes the setup page", async () => {
    const r = await createUser({
      ctx: local,
      input: { name: "Ops", email: "ops@example.com", password: "a long password" },
    });
    expect(r.firstOwner).toBe(true);
    ownerId = r.user.id;
    const roles = await t.db.select().from(projectMembers).where(eq(projectMembers.userId, ownerId));
    expect(roles.map((m) => m.role)).toEqual(["owner", "owner"]);
    expect(await needsSetup(t.db)).toBe(false);
    expect(await t.db.select().from(instanceSetup)).toHaveLength(1);
  });

  it("adds a later user to one project with one role, audited in that project", async () => {
    const r = await createUser({
      ctx: local,
      input: {
        name: "Val",
        email: "val@example.com",
        password: "a long password",
        project: "demo",
        role: "viewer",
      },
    });
    expect(r.firstOwner).toBe(false);
    const roles = await t.db.select().from(projectMembers).where(eq(projectMembers.userId, r.user.id));
    expect(roles).toHaveLength(1);
    expect(roles[0]?.role).toBe("viewer");
    const audit = await t.db.select().from(auditLog).where(eq(auditLog.objectName, "val@example.com"));
    expect(audit.map((a) => `${a.action}@${a.project ?? "-"}`).sort()).toEqual([
      "member.add@demo",
      "user.create@-",
    ]);
  });

  it("needs a project and role once a user exists", async () => {
    await expect(
      createUser({ ctx: local, input: { name: "X", email: "x@example.com", password: "a long password" } }),
    ).rejects.toThrow(InvalidError);
  });

  it("refuses a taken email", async () => {
    await expect(
      createUser({
        ctx: local,
        input: {
          name: "Dup",
          email: "VAL@example.com",
          password: "a long password",
          project: "demo",
          role: "editor",
        },
      }),
    ).rejects.toThrow(ConflictError);
  });

  it("is the CLI's alone: people (even owners) make accounts through access.createUser", async () => {
    const input = {
      name: "N",
      email: "n@example.com",
      password: "a long password",
      project: "demo",
      role: "editor" as const,
    };
    const [viewer] = await t.db.select().from(users).where(eq(users.email, "val@example.com"));
    await expect(createUser({ ctx: { ...local, actor: { kind: "anonymous" } }, input })).rejects.toThrow(
      UnauthorizedError,
    );
    await expect(createUser({ ctx: as(viewer?.id ?? "", "val@example.com"), input })).rejects.toThrow(
      ForbiddenError,
    );
    await expect(createUser({ ctx: as(ownerId, "ops@example.com"), input })).rejects.toThrow(
      /only Quiver itself and the quiver CLI/,
    );
    const r = await createUser({ ctx: local, input });
    expect(r.user.email).toBe("n@example.com");
    expect(await t.db.select().from(users).where(eq(users.email, "n@example.com"))).toHaveLength(1);
  });

  it("writes nothing when the role is refused", async () => {
    expect(await t.db.select().from(users)).toHaveLength(3);
  });
});

describe("createAccountInProject (Settings → Members → Create account)", () => {
  const input = { name: "Kim", email: "kim@example.com", password: "temporary-pw-1", project: "other" };

  it("lets an owner make an account in the project, audited as the owner", async () => {
    const user = await createAccountInProject({
      ctx: as(ownerId, "ops@example.com"),
      input: { ...input, role: "consumer" },
    });
    const roles = await t.db.select().from(projectMembers).where(eq(projectMembers.userId, user.id));
    expect(roles.map((m) => m.role)).toEqual(["consumer"]);
    const audit = await t.db.select().from(auditLog).where(eq(auditLog.objectName, "kim@example.com"));
    expect(audit.map((a) => `${a.action}@${a.project ?? "-"} by ${a.actorName}`).sort()).toEqual([
      "member.add@other by ops@example.com",
      "user.create@- by ops@example.com",
    ]);
  });

  it("refuses an email that has an account, pointing at adding a member", async () => {
    const again = createAccountInProject({
      ctx: as(ownerId, "ops@example.com"),
      input: {
        ...input,
        email: "KIM@example.com",
        role: "viewer",
      },
    });
    await expect(again).rejects.toThrow(ConflictError);
    await expect(again).rejects.toThrow("kim@example.com already has an account: add them as a member");
  });

  it("never makes a first owner, even on an empty instance", async () => {
    const empty = await createTestDb();
    try {
      await empty.db.insert(projects).values({ name: "demo" });
      const anon: Ctx = { ...testCtx(empty), actor: { kind: "anonymous" } };
      await expect(
        createAccountInProject({ ctx: anon, input: { ...input, project: "demo", role: "owner" } }),
      ).rejects.toThrow(UnauthorizedError);
      expect(await empty.db.select().from(users)).toHaveLength(0);
    } finally {
      await empty.drop();
    }
  });
});

describe("instance administrators (docs/adr/0014-instance-administrators.md)", () => {
  const adminOf = async (email: string) =>
    (await t.db.select({ isAdmin: users.isAdmin }).from(users).where(eq(users.email, email)))[0]?.isAdmin;
  const auditOf = async (email: string) =>
    (await t.db.select().from(auditLog).where(eq(auditLog.objectName, email))).map(
      (a) => `${a.action}@${a.project ?? "-"}`,
    );

  it("the first user is one; later users are not unless asked", async () => {
    expect(await adminOf("ops@example.com")).toBe(true);
    expect(await adminOf("val@example.com")).toBe(false);
  });

  it("`user create --admin` makes one without a project, audited without a project", async () => {
    const r = await createUser({
      ctx: local,
      input: {
        name: "Root",
        email: "root@example.com",
        password: "a long password",
        admin: true,
      },
    });
    expect(r.firstOwner).toBe(false);
    expect(await adminOf("root@example.com")).toBe(true);
    expect(await t.db.select().from(projectMembers).where(eq(projectMembers.userId, r.user.id))).toEqual([]);
    expect(await auditOf("root@example.com")).toEqual(["user.create@-", "user.admin_grant@-"]);
  });

  it("or with a project and role", async () => {
    const r = await createUser({
      ctx: local,
      input: {
        name: "Ed",
        email: "ed@example.com",
        password: "a long password",
        project: "demo",
        role: "editor",
        admin: true,
      },
    });
    expect(await adminOf("ed@example.com")).toBe(true);
    const roles = await t.db.select().from(projectMembers).where(eq(projectMembers.userId, r.user.id));
    expect(roles.map((m) => m.role)).toEqual(["editor"]);
  });

  it("only an administrator makes one; a project owner who is not gets 403 and nothing is written", async () => {
    const [viewer] = await t.db.select().from(users).where(eq(users.email, "val@example.com"));
    await t.db
      .insert(projectMembers)
      .values({ projectId: await projectId("other"), userId: viewer?.id ?? "", role: "owner" });
    const input = { name: "Z", email: "z@example.com", password: "a long password", admin: true };
    await expect(createUser({ ctx: as(viewer?.id ?? "", "val@example.com"), input })).rejects.toThrow(
      ForbiddenError,
    );
    await expect(
      createUser({
        ctx: as(viewer?.id ?? "", "val@example.com"),
        input: { ...input, project: "other", role: "viewer" },
      }),
    ).rejects.toThrow(ForbiddenError);
    expect(await t.db.select().from(users).where(eq(users.email, "z@example.com"))).toEqual([]);
  });

  it("refuses an email that has an account, pointing at `quiver user admin`, and changes nothing", async () => {
    const again = createUser({
      ctx: local,
      input: {
        name: "Val",
        email: "Val@Example.com",
        password: "a long password",
        admin: true,
      },
    });
    await expect(again).rejects.toThrow(ConflictError);
    await expect(again).rejects.toThrow(
      "val@example.com already has an account: make it an administrator with `npx quiver user admin --email val@example.com`",
    );
    expect(await adminOf("val@example.com")).toBe(false);
  });

  it("an owner's Create account never makes one, whatever the input says", async () => {
    const input = {
      name: "Sly",
      email: "sly@example.com",
      password: "a long password",
      project: "demo",
      role: "viewer" as const,
      admin: true,
    };
    await createAccountInProject({ ctx: as(ownerId, "ops@example.com"), input });
    expect(await adminOf("sly@example.com")).toBe(false);
  });
});

async function projectId(name: string): Promise<string> {
  const [p] = await t.db.select().from(projects).where(eq(projects.name, name));
  if (!p) throw new Error(`no project ${name}`);
  return p.id;
}
