import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import type { Ctx } from "../core/context";
import { ForbiddenError, NotFoundError } from "../core/errors";
import { projectMembers, projects, users } from "../db/schema";
import { listAuditLog } from "./list";
import { recordAudit } from "./record";

let t: TestDb;
let ctx: Ctx;
let alpha: { id: string; name: string };
let beta: { id: string; name: string };

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t);
  const rows = await t.db
    .insert(projects)
    .values([{ name: "alpha" }, { name: "beta" }])
    .returning({ id: projects.id, name: projects.name });
  [alpha, beta] = [rows[0] ?? fail(), rows[1] ?? fail()];
  for (let i = 0; i < 5; i++)
    await recordAudit(ctx, {
      project: alpha,
      action: i % 2 ? "entity.update" : "entity.create",
      objectType: "entity",
      objectName: `driver_${i}`,
      before: i % 2 ? { n: i - 1 } : null,
      after: { n: i },
    });
  await recordAudit(
    { ...ctx, actor: { kind: "user", id: "u_ann", name: "Ann Owner" } },
    { project: alpha, action: "api_key.create", objectType: "api_key", objectName: "ci" },
  );
  await recordAudit(ctx, {
    project: beta,
    action: "entity.create",
    objectType: "entity",
    objectName: "secret_beta",
  });
  await t.db.insert(users).values([
    { id: "u_vic", name: "Vic Viewer", email: "vic@example.com" },
    { id: "u_ann", name: "Ann Owner", email: "ann@example.com" },
  ]);
  await t.db.insert(projectMembers).values([
    { projectId: alpha.id, userId: "u_vic", role: "editor" },
    { projectId: alpha.id, userId: "u_ann", role: "owner" },
  ]);
});
afterAll(() => t.drop());

function fail(): never {
  throw new Error("seed failed");
}

describe("listAuditLog", () => {
  it("lists a project's entries newest first, never another project's", async () => {
    const page = await listAuditLog({ ctx, input: { project: "alpha" } });
    expect(page.items.map((e) => e.objectName)).toEqual([
      "ci",
      "driver_4",
      "driver_3",
      "driver_2",
      "driver_1",
      "driver_0",
    ]);
    expect(page.nextCursor).toBeNull();
    const beta = await listAuditLog({ ctx, input: { project: "beta" } });
    expect(beta.items.map((e) => e.objectName)).toEqual(["secret_beta"]);
  });

  it("filters by action, actor, object type and name (substring, any case, wildcards literal)", async () => {
    const names = async (f: Partial<Parameters<typeof listAuditLog>[0]["input"]>) =>
      (await listAuditLog({ ctx, input: { project: "alpha", ...f } })).items.map((e) => e.objectName);
    expect(await names({ action: "entity.update" })).toEqual(["driver_3", "driver_1"]);
    expect(await names({ actorName: "ann" })).toEqual(["ci"]);
    expect(await names({ objectType: "api_key" })).toEqual(["ci"]);
    expect(await names({ objectName: "VER_2" })).toEqual(["driver_2"]);
    expect(await names({ objectName: "%" })).toEqual([]);
    expect(await names({ objectName: "secret" })).toEqual([]);
    expect(await names({ from: new Date(Date.now() + 60_000) })).toEqual([]);
    expect(await names({ to: new Date(Date.now() + 60_000), action: "api_key.create" })).toEqual(["ci"]);
  });

  it("pages with a cursor without gaps or repeats", async () => {
    const seen: string[] = [];
    let cursor: number | undefined;
    for (let guard = 0; guard < 10; guard++) {
      const page = await listAuditLog({ ctx, input: { project: "alpha", limit: 4, cursor } });
      seen.push(...page.items.map((e) => e.objectName));
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(["ci", "driver_4", "driver_3", "driver_2", "driver_1", "driver_0"]);
    await expect(listAuditLog({ ctx, input: { project: "alpha", limit: 201 } })).rejects.toThrow();
  });

  it("is for owners only; another project's members and keys see nothing", async () => {
    const as = (actor: Ctx["actor"]) => ({ ...ctx, actor });
    const ann = as({ kind: "user", id: "u_ann", name: "Ann Owner" });
    expect((await listAuditLog({ ctx: ann, input: { project: "alpha" } })).items).toHaveLength(6);
    await expect(
      listAuditLog({ ctx: as({ kind: "user", id: "u_vic", name: "Vic" }), input: { project: "alpha" } }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(listAuditLog({ ctx: ann, input: { project: "beta" } })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    const betaKey = as({ kind: "api_key", id: "k", name: "k", projectId: beta.id, role: "owner" });
    await expect(listAuditLog({ ctx: betaKey, input: { project: "alpha" } })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(
      listAuditLog({ ctx: as({ kind: "anonymous" }), input: { project: "alpha" } }),
    ).rejects.toThrow(/sign in/);
  });

  it("cannot be edited through any door: UPDATE, DELETE and TRUNCATE fail in the database", async () => {
    for (const stmt of [
      sql`update audit_log set actor_name = 'someone else'`,
      sql`delete from audit_log`,
      sql`truncate audit_log`,
    ])
      await expect(t.db.execute(stmt)).rejects.toMatchObject({
        cause: { message: expect.stringMatching(/append-only/) },
      });
    const page = await listAuditLog({ ctx, input: { project: "alpha" } });
    expect(page.items.map((e) => e.actorName)).toContain("Ann Owner");
    expect(page.items).toHaveLength(6);
  });
});
