import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { addProjectWithMember, insertUser } from "../../test/fixtures/users";
import type { Ctx } from "../core/context";
import { auditLog } from "../db/schema";
import { addMember, changeRole, listMembers, removeMember } from "./members";

let t: TestDb;
let local: Ctx;
let owner: Ctx;
let ownerId: string;

beforeAll(async () => {
  t = await createTestDb();
  local = testCtx(t);
  const ann = await insertUser(local, "ann@example.com");
  ownerId = ann.id;
  await addProjectWithMember(local, "alpha", ann.id, "owner");
  owner = { ...local, actor: ann };
  await insertUser(local, "bob@example.com");
  await insertUser(local, "cat@example.com");
});
afterAll(() => t.drop());

const audit = async (action: string) => t.db.select().from(auditLog).where(eq(auditLog.action, action));

describe("members", () => {
  it("adds an existing user by email (any case) with a role, audited", async () => {
    const m = await addMember({
      ctx: owner,
      input: { project: "alpha", email: " Bob@Example.com", role: "viewer" },
    });
    expect(m).toMatchObject({ email: "bob@example.com", name: "bob", role: "viewer" });
    expect(
      (await listMembers({ ctx: owner, input: { project: "alpha" } })).map((x) => [x.email, x.role]),
    ).toEqual([
      ["ann@example.com", "owner"],
      ["bob@example.com", "viewer"],
    ]);
    expect(await audit("member.add")).toMatchObject([
      { objectName: "bob@example.com", after: { role: "viewer" } },
    ]);
  });

  it("refuses an unknown email naming it, and a second membership", async () => {
    await expect(
      addMember({ ctx: owner, input: { project: "alpha", email: "nobody@example.com", role: "viewer" } }),
    ).rejects.toMatchObject({
      code: "INVALID",
      field: "email",
      message: expect.stringContaining("nobody@example.com"),
    });
    await expect(
      addMember({ ctx: owner, input: { project: "alpha", email: "bob@example.com", role: "editor" } }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("changes a role, audited with before and after", async () => {
    const [bob] = (await listMembers({ ctx: owner, input: { project: "alpha" } })).filter(
      (m) => m.name === "bob",
    );
    const changed = await changeRole({
      ctx: owner,
      input: { project: "alpha", userId: bob?.userId ?? "", role: "editor" },
    });
    expect(changed.role).toBe("editor");
    expect(await audit("member.role")).toMatchObject([
      { before: { role: "viewer" }, after: { role: "editor" } },
    ]);
  });

  it("never removes or demotes the last owner, and leaves no audit row when refusing", async () => {
    const input = { project: "alpha", userId: ownerId };
    await expect(changeRole({ ctx: owner, input: { ...input, role: "editor" } })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    await expect(removeMember({ ctx: owner, input })).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await audit("member.remove")).toEqual([]);
    // with a second owner, the first may step down
    const cat = await addMember({
      ctx: owner,
      input: { project: "alpha", email: "cat@example.com", role: "owner" },
    });
    await changeRole({ ctx: owner, input: { ...input, role: "operator" } });
    const catCtx = { ...local, actor: { kind: "user" as const, id: cat.userId, name: "cat" } };
    await expect(
      removeMember({ ctx: catCtx, input: { project: "alpha", userId: cat.userId } }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
    });
    await removeMember({ ctx: catCtx, input });
    expect((await listMembers({ ctx: catCtx, input: { project: "alpha" } })).map((m) => m.name)).toEqual([
      "bob",
      "cat",
    ]);
    expect(await audit("member.remove")).toMatchObject([
      { objectName: "ann@example.com", before: { role: "operator" } },
    ]);
  });

  it("is for owners only: 404 for a removed member, 403 for an editor", async () => {
    await expect(listMembers({ ctx: owner, input: { project: "alpha" } })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    const [bob] = (await listMembers({ ctx: local, input: { project: "alpha" } })).filter(
      (m) => m.name === "bob",
    );
    const bobCtx = { ...local, actor: { kind: "user" as const, id: bob?.userId ?? "", name: "bob" } };
    await expect(
      addMember({ ctx: bobCtx, input: { project: "alpha", email: "ann@example.com", role: "owner" } }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
