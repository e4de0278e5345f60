import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { listInstanceAudit } from "../audit/instance";
import { recordAudit } from "../audit/record";
import { UnauthorizedError } from "../auth/authorize";
import type { Actor, Ctx } from "../core/context";
import { ConflictError, ForbiddenError, InvalidError, NotFoundError, UnavailableError } from "../core/errors";
import { auditLog, projectMembers, projects, users } from "../db/schema";
import { addOwnSchema, createProject, ensureProject } from "../registry";
import { isInstanceAdmin } from "./access";
import { setInstanceAdmin } from "./admins";
import { getMe } from "./me";

/**
 * Instance administrators (docs/adr/0014-instance-administrators.md): the instance audit log and
 * project creation, for admins only; users.is_admin is read on every call.
 */
let t: TestDb;
let local: Ctx;
const ids = { admin: "", member: "" };

const as = (id: string, name: string): Ctx => ({ ...local, actor: { kind: "user", id, name } });
const admin = () => as(ids.admin, "root@example.com");
const member = () => as(ids.member, "mia@example.com");
const apiKey = (): Ctx => ({
  ...local,
  actor: { kind: "api_key", id: randomUUID(), name: "ci", projectId: randomUUID(), role: "owner" },
});
const anonymous = (): Ctx => ({ ...local, actor: { kind: "anonymous" } });

async function addUser(name: string, email: string, isAdmin: boolean): Promise<string> {
  const id = randomUUID();
  await t.db.insert(users).values({ id, name, email, isAdmin });
  return id;
}

beforeAll(async () => {
  t = await createTestDb();
  local = testCtx(t);
  ids.admin = await addUser("Root", "root@example.com", true);
  ids.member = await addUser("Mia", "mia@example.com", false);
  const alpha = await ensureProject({ ctx: local, input: { name: "alpha" } });
  await t.db.insert(projectMembers).values({ projectId: alpha.id, userId: ids.member, role: "owner" });
  // What better-auth's hook and the services write: sign-ins have no project.
  const user = (id: string, name: string): Actor => ({ kind: "user", id, name });
  await recordAudit(
    { ...local, actor: user(ids.member, "mia@example.com") },
    { action: "auth.login", objectType: "user", objectName: "mia@example.com", after: { ip: "10.0.0.5" } },
  );
  await recordAudit(
    { ...local, actor: { kind: "anonymous" } },
    {
      action: "auth.login_failed",
      objectType: "user",
      objectName: "mia@example.com",
      after: { ip: "10.0.0.6" },
    },
  );
  await recordAudit(local, {
    action: "user.create",
    objectType: "user",
    objectName: "mia@example.com",
    after: { name: "Mia", email: "mia@example.com" },
  });
  await recordAudit(
    { ...local, actor: user(ids.member, "mia@example.com") },
    { project: alpha, action: "entity.create", objectType: "entity", objectName: "driver" },
  );
});
afterAll(() => t.drop());

describe("who is an instance administrator", () => {
  it("is read from users.is_admin; API keys and anonymous never are; Quiver and the CLI are trusted", async () => {
    expect(await isInstanceAdmin(admin())).toBe(true);
    expect(await isInstanceAdmin(member())).toBe(false);
    expect(await isInstanceAdmin(apiKey())).toBe(false);
    expect(await isInstanceAdmin(anonymous())).toBe(false);
    expect(await isInstanceAdmin(local)).toBe(true);
    expect(await getMe({ ctx: admin() })).toMatchObject({ email: "root@example.com", isAdmin: true });
    expect(await getMe({ ctx: member() })).toMatchObject({ email: "mia@example.com", isAdmin: false });
    expect(await getMe({ ctx: apiKey() })).toBeNull();
  });
});

describe("listInstanceAudit", () => {
  it("shows an admin the entries of no project (sign-ins, failed sign-ins, accounts) and every project's", async () => {
    const page = await listInstanceAudit({ ctx: admin(), input: {} });
    const seen = page.items.map((e) => `${e.action}@${e.project ?? "-"}`);
    expect(seen).toEqual(
      expect.arrayContaining(["auth.login@-", "auth.login_failed@-", "user.create@-", "entity.create@alpha"]),
    );
    // Newest first.
    const idsSeen = page.items.map((e) => e.id);
    expect(idsSeen).toEqual([...idsSeen].sort((a, b) => b - a));
  });

  it("filters by action, actor, project, instance-only and time, and pages by id", async () => {
    const logins = await listInstanceAudit({ ctx: admin(), input: { action: "auth.login" } });
    expect(logins.items.map((e) => e.actorName)).toEqual(["mia@example.com"]);
    const anon = await listInstanceAudit({ ctx: admin(), input: { actorName: "ANONYM" } });
    expect(anon.items.map((e) => e.action)).toEqual(["auth.login_failed"]);
    const inAlpha = await listInstanceAudit({ ctx: admin(), input: { project: "alpha" } });
    expect(inAlpha.items.length).toBeGreaterThan(0);
    expect(inAlpha.items.every((e) => e.project === "alpha")).toBe(true);
    const instance = await listInstanceAudit({ ctx: admin(), input: { instanceOnly: true } });
    expect(instance.items.map((e) => e.action).sort()).toEqual([
      "auth.login",
      "auth.login_failed",
      "user.create",
    ]);
    const future = await listInstanceAudit({ ctx: admin(), input: { from: new Date(Date.now() + 60_000) } });
    expect(future.items).toEqual([]);
    const past = await listInstanceAudit({ ctx: admin(), input: { to: new Date(0) } });
    expect(past.items).toEqual([]);

    const first = await listInstanceAudit({ ctx: admin(), input: { instanceOnly: true, limit: 2 } });
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const second = await listInstanceAudit({
      ctx: admin(),
      input: { instanceOnly: true, limit: 2, cursor: first.nextCursor ?? undefined },
    });
    expect(second.items.map((e) => e.action)).toEqual(["auth.login"]);
    expect(second.nextCursor).toBeNull();

    await expect(
      listInstanceAudit({ ctx: admin(), input: { instanceOnly: true, project: "alpha" } }),
    ).rejects.toThrow(InvalidError);
  });

  it("refuses everyone but an admin: 403 for a project owner and an API key, 401 anonymous", async () => {
    await expect(listInstanceAudit({ ctx: member(), input: {} })).rejects.toThrow(ForbiddenError);
    await expect(listInstanceAudit({ ctx: apiKey(), input: {} })).rejects.toThrow(ForbiddenError);
    await expect(listInstanceAudit({ ctx: anonymous(), input: {} })).rejects.toThrow(UnauthorizedError);
  });
});

describe("setInstanceAdmin", () => {
  it("grants and revokes, audited without a project, and a revoke holds from the next call", async () => {
    const id = await addUser("Tess", "tess@example.com", false);
    const tess = as(id, "tess@example.com");
    await expect(listInstanceAudit({ ctx: tess, input: {} })).rejects.toThrow(ForbiddenError);

    expect(
      await setInstanceAdmin({ ctx: admin(), input: { email: "Tess@Example.com", admin: true } }),
    ).toEqual({
      email: "tess@example.com",
      admin: true,
      changed: true,
    });
    await expect(listInstanceAudit({ ctx: tess, input: {} })).resolves.toBeDefined();
    // Granting twice changes nothing and writes nothing.
    expect(
      (await setInstanceAdmin({ ctx: local, input: { email: "tess@example.com", admin: true } })).changed,
    ).toBe(false);

    await setInstanceAdmin({ ctx: local, input: { email: "tess@example.com", admin: false } });
    await expect(listInstanceAudit({ ctx: tess, input: {} })).rejects.toThrow(ForbiddenError);

    const audit = await t.db.select().from(auditLog).where(eq(auditLog.objectName, "tess@example.com"));
    expect(audit.map((a) => `${a.action}@${a.project ?? "-"}`)).toEqual([
      "user.admin_grant@-",
      "user.admin_revoke@-",
    ]);
  });

  it("is for admins only, and names a missing user", async () => {
    await expect(
      setInstanceAdmin({ ctx: member(), input: { email: "mia@example.com", admin: true } }),
    ).rejects.toThrow(ForbiddenError);
    await expect(
      setInstanceAdmin({ ctx: local, input: { email: "nobody@example.com", admin: true } }),
    ).rejects.toThrow(NotFoundError);
  });
});

describe("createProject", () => {
  it("lets an admin create a project they then own, with its offline schema, audited in it", async () => {
    const p = await createProject({ ctx: admin(), input: { name: "fraud", description: "Fraud features" } });
    expect(p).toMatchObject({ name: "fraud", description: "Fraud features" });
    const members = await t.db.select().from(projectMembers).where(eq(projectMembers.projectId, p.id));
    expect(members.map((m) => [m.userId, m.role])).toEqual([[ids.admin, "owner"]]);
    const audit = await t.db.select().from(auditLog).where(eq(auditLog.projectId, p.id));
    expect(audit.map((a) => `${a.action}:${a.objectName}:${a.actorName}`)).toEqual([
      "project.create:fraud:root@example.com",
      "member.add:root@example.com:root@example.com",
    ]);
    const schema = await t.offlineAdmin.query("select 1 from pg_namespace where nspname = $1", ["fraud"]);
    expect(schema.rowCount).toBe(1);
  });

  it("refuses a project owner, an API key and anonymous, creating nothing", async () => {
    await expect(createProject({ ctx: member(), input: { name: "mine" } })).rejects.toThrow(ForbiddenError);
    await expect(createProject({ ctx: apiKey(), input: { name: "mine" } })).rejects.toThrow(ForbiddenError);
    await expect(createProject({ ctx: anonymous(), input: { name: "mine" } })).rejects.toThrow(
      UnauthorizedError,
    );
    expect(await t.db.select().from(projects).where(eq(projects.name, "mine"))).toEqual([]);
  });

  it("refuses a taken name, a bad name, a name Postgres reserves and another project's offline schema", async () => {
    await expect(createProject({ ctx: admin(), input: { name: "alpha" } })).rejects.toThrow(ConflictError);
    await expect(createProject({ ctx: admin(), input: { name: "Bad-Name" } })).rejects.toThrow(InvalidError);
    await expect(createProject({ ctx: admin(), input: { name: "public" } })).rejects.toThrow(
      /reserved by Postgres/,
    );
    await addOwnSchema({ ctx: local, input: { project: "alpha", schema: "alpha_wh" } });
    await expect(createProject({ ctx: admin(), input: { name: "alpha_wh" } })).rejects.toThrow(
      /offline schema "alpha_wh" belongs to project "alpha"/,
    );
    // alpha still has its own membership only; nothing was added for the admin.
    const rows = await t.db
      .select()
      .from(projectMembers)
      .innerJoin(projects, eq(projects.id, projectMembers.projectId))
      .where(and(eq(projects.name, "alpha"), eq(projectMembers.userId, ids.admin)));
    expect(rows).toEqual([]);
  });

  it("creates nothing when the offline space cannot be set up, and says why", async () => {
    const broken = t.openOffline({ adminUrl: "postgres://nobody@127.0.0.1:1/quiver_offline" });
    const ctx = { ...admin(), offline: broken };
    const err = await createProject({ ctx, input: { name: "orphan" } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toMatch(
      /^project "orphan" was not created: its offline space .* could not be set up: offline store unavailable: connection refused/,
    );
    expect(await t.db.select().from(projects).where(eq(projects.name, "orphan"))).toEqual([]);
    expect(await t.db.select().from(auditLog).where(eq(auditLog.objectName, "orphan"))).toEqual([]);
  });
});
