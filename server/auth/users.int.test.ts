import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import type { Ctx } from "../context";
import { auditLog, instanceSetup, projectMembers, projects, users } from "../db/schema";
import { ConflictError, ForbiddenError, InvalidError, NotFoundError } from "../errors";
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
    const r = await createUser(local, { name: "Ops", email: "ops@example.com", password: "a long password" });
    expect(r.firstOwner).toBe(true);
    ownerId = r.user.id;
    const roles = await t.db.select().from(projectMembers).where(eq(projectMembers.userId, ownerId));
    expect(roles.map((m) => m.role)).toEqual(["owner", "owner"]);
    expect(await needsSetup(t.db)).toBe(false);
    expect(await t.db.select().from(instanceSetup)).toHaveLength(1);
  });

  it("adds a later user to one project with one role, audited in that project", async () => {
    const r = await createUser(local, {
      name: "Val",
      email: "val@example.com",
      password: "a long password",
      project: "demo",
      role: "viewer",
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
      createUser(local, { name: "X", email: "x@example.com", password: "a long password" }),
    ).rejects.toThrow(InvalidError);
  });

  it("refuses a taken email", async () => {
    await expect(
      createUser(local, {
        name: "Dup",
        email: "VAL@example.com",
        password: "a long password",
        project: "demo",
        role: "editor",
      }),
    ).rejects.toThrow(ConflictError);
  });

  it("lets an owner add members, and nobody else", async () => {
    const input = {
      name: "N",
      email: "n@example.com",
      password: "a long password",
      project: "demo",
      role: "editor" as const,
    };
    const [viewer] = await t.db.select().from(users).where(eq(users.email, "val@example.com"));
    await expect(createUser({ ...local, actor: { kind: "anonymous" } }, input)).rejects.toThrow(
      UnauthorizedError,
    );
    await expect(createUser(as(viewer?.id ?? "", "val@example.com"), input)).rejects.toThrow(ForbiddenError);
    // A project the viewer does not belong to answers like a missing one.
    await expect(
      createUser(as(viewer?.id ?? "", "val@example.com"), { ...input, project: "other" }),
    ).rejects.toThrow(NotFoundError);
    const r = await createUser(as(ownerId, "ops@example.com"), input);
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
    const user = await createAccountInProject(as(ownerId, "ops@example.com"), { ...input, role: "consumer" });
    const roles = await t.db.select().from(projectMembers).where(eq(projectMembers.userId, user.id));
    expect(roles.map((m) => m.role)).toEqual(["consumer"]);
    const audit = await t.db.select().from(auditLog).where(eq(auditLog.objectName, "kim@example.com"));
    expect(audit.map((a) => `${a.action}@${a.project ?? "-"} by ${a.actorName}`).sort()).toEqual([
      "member.add@other by ops@example.com",
      "user.create@- by ops@example.com",
    ]);
  });

  it("refuses an email that has an account, pointing at adding a member", async () => {
    const again = createAccountInProject(as(ownerId, "ops@example.com"), {
      ...input,
      email: "KIM@example.com",
      role: "viewer",
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
        createAccountInProject(anon, { ...input, project: "demo", role: "owner" }),
      ).rejects.toThrow(UnauthorizedError);
      expect(await empty.db.select().from(users)).toHaveLength(0);
    } finally {
      await empty.drop();
    }
  });
});
