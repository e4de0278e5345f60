import { verifyPassword } from "better-auth/crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import type { Ctx } from "../core/context";
import { ConflictError, InvalidError } from "../core/errors";
import { accounts, auditLog, instanceSetup, projectMembers, projects, users } from "../db/schema";
import { createFirstOwner, needsSetup } from "./setup";

let t: TestDb;
let anonymous: Ctx;

beforeAll(async () => {
  t = await createTestDb();
  anonymous = { ...testCtx(t), actor: { kind: "anonymous" } };
  await t.db.insert(projects).values([{ name: "demo" }, { name: "other" }]);
});
afterAll(() => t.drop());

describe("first-run setup", () => {
  it("refuses invalid input before claiming anything", async () => {
    await expect(
      createFirstOwner(anonymous, { name: "A", email: "a@x.io", password: "short" }),
    ).rejects.toThrow(InvalidError);
    await expect(
      createFirstOwner(anonymous, { name: "A", email: "nope", password: "long enough pw" }),
    ).rejects.toThrow(/email/);
    expect(await needsSetup(t.db)).toBe(true);
    expect(await t.db.select().from(instanceSetup)).toEqual([]);
  });

  it("of two people racing, exactly one becomes owner; the other gets a conflict", async () => {
    const results = await Promise.allSettled([
      createFirstOwner(anonymous, { name: "Ada", email: "Ada@Example.com", password: "correct horse 1" }),
      createFirstOwner(anonymous, { name: "Bob", email: "bob@example.com", password: "correct horse 2" }),
    ]);
    const ok = results.filter((r) => r.status === "fulfilled");
    const failed = results.filter((r) => r.status === "rejected");
    expect(ok).toHaveLength(1);
    expect(failed).toHaveLength(1);
    expect(failed[0]?.status === "rejected" && failed[0].reason).toBeInstanceOf(ConflictError);

    const all = await t.db.select().from(users);
    expect(all).toHaveLength(1);
    const [owner] = all;
    if (!owner) throw new Error("no owner");
    const members = await t.db.select().from(projectMembers).where(eq(projectMembers.userId, owner.id));
    expect(members.map((m) => m.role)).toEqual(["owner", "owner"]);
    const [claim] = await t.db.select().from(instanceSetup);
    expect(claim?.ownerId).toBe(owner.id);
    expect(await needsSetup(t.db)).toBe(false);
  });

  it("stores a slow hash of the password, never the password, and lowercases the email", async () => {
    const [owner] = await t.db.select().from(users);
    const [account] = await t.db.select().from(accounts);
    expect(account?.providerId).toBe("credential");
    expect(account?.userId).toBe(owner?.id);
    const hash = account?.password ?? "";
    expect(hash).not.toContain("correct horse");
    const pw = owner?.name === "Ada" ? "correct horse 1" : "correct horse 2";
    expect(await verifyPassword({ hash, password: pw })).toBe(true);
    if (owner?.name === "Ada") expect(owner.email).toBe("ada@example.com");
  });

  it("audits the new owner as the actor", async () => {
    const rows = await t.db.select().from(auditLog);
    expect(rows.map((r) => r.action).sort()).toEqual(["member.add", "member.add", "user.create"]);
    const [owner] = await t.db.select().from(users);
    expect(rows.every((r) => r.actorKind === "user" && r.actorId === owner?.id)).toBe(true);
  });

  it("stays closed once done", async () => {
    await expect(
      createFirstOwner(anonymous, { name: "Eve", email: "eve@example.com", password: "correct horse 3" }),
    ).rejects.toThrow(/already set up/);
    expect(await t.db.select().from(users)).toHaveLength(1);
  });
});

describe("the first owner is an instance administrator", () => {
  it("and the audit entry of their account says so", async () => {
    const [owner] = await t.db.select().from(users);
    expect(owner?.isAdmin).toBe(true);
    const [created] = await t.db.select().from(auditLog).where(eq(auditLog.action, "user.create"));
    expect(created?.after).toMatchObject({ firstOwner: true, admin: true });
  });
});
