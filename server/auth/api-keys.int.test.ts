import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { addProjectWithMember, insertUser } from "../../test/fixtures/users";
import type { Ctx } from "../core/context";
import { apiKeys, auditLog } from "../db/schema";
import { createApiKey, hashApiKey, listApiKeys, resolveApiKey, revokeApiKey } from "./api-keys";

let t: TestDb;
let local: Ctx;
let owner: Ctx;
let editor: Ctx;

beforeAll(async () => {
  t = await createTestDb();
  local = testCtx(t);
  const ann = await insertUser(local, "ann@example.com");
  const ed = await insertUser(local, "ed@example.com");
  await addProjectWithMember(local, "alpha", ann.id, "owner");
  await addProjectWithMember(local, "alpha", ed.id, "editor");
  await addProjectWithMember(local, "beta", ed.id, "owner");
  owner = { ...local, actor: ann };
  editor = { ...local, actor: ed };
});
afterAll(() => t.drop());

describe("createApiKey", () => {
  it("returns the key once and stores only its hash and prefix", async () => {
    const { key, apiKey } = await createApiKey({
      ctx: owner,
      input: { project: "alpha", name: "trainer", role: "consumer" },
    });
    expect(key).toMatch(/^qvr_[A-Za-z0-9_-]{43}$/);
    expect(apiKey).not.toHaveProperty("keyHash");
    expect(apiKey).toMatchObject({
      name: "trainer",
      role: "consumer",
      prefix: key.slice(0, 12),
      createdBy: "ann",
    });
    const [row] = await t.db.select().from(apiKeys).where(eq(apiKeys.id, apiKey.id));
    expect(row?.keyHash).toBe(hashApiKey(key));
    expect(JSON.stringify(row)).not.toContain(key);
  });

  it("audits the creation without the secret, in the same transaction", async () => {
    const { key, apiKey } = await createApiKey({
      ctx: owner,
      input: { project: "alpha", name: "audited", role: "viewer" },
    });
    const entries = await t.db.select().from(auditLog).where(eq(auditLog.action, "api_key.create"));
    const entry = entries.find((e) => e.objectName === "audited");
    expect(entry).toMatchObject({ actorKind: "user", actorName: "ann", project: "alpha" });
    expect(JSON.stringify(entry)).not.toContain(key);
    expect(JSON.stringify(entry)).not.toContain(hashApiKey(key));
    expect(entry?.after).toMatchObject({ id: apiKey.id, role: "viewer" });
  });

  it("refuses a duplicate name with no audit row, and a past expiry", async () => {
    const before = (await t.db.select().from(auditLog)).length;
    await expect(
      createApiKey({ ctx: owner, input: { project: "alpha", name: "trainer", role: "viewer" } }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await t.db.select().from(auditLog)).length).toBe(before);
    await expect(
      createApiKey({
        ctx: owner,
        input: { project: "alpha", name: "old", role: "viewer", expiresAt: new Date(Date.now() - 1000) },
      }),
    ).rejects.toMatchObject({ code: "INVALID", field: "expiresAt" });
  });

  it("needs the owner role: 403 for an editor, 404 for a non-member, 401 for anonymous", async () => {
    const input = { project: "alpha", name: "x", role: "viewer" as const };
    await expect(createApiKey({ ctx: editor, input })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const stranger = await insertUser(local, "stranger@example.com");
    await expect(createApiKey({ ctx: { ...local, actor: stranger }, input })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: 'project "alpha" not found',
    });
    await expect(
      createApiKey({ ctx: { ...local, actor: { kind: "anonymous" } }, input }),
    ).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(listApiKeys({ ctx: editor, input: { project: "alpha" } })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });
});

describe("resolveApiKey", () => {
  it("resolves a live key to its project and role, and records its use at most once a minute", async () => {
    const { key, apiKey } = await createApiKey({
      ctx: owner,
      input: { project: "alpha", name: "resolver", role: "operator" },
    });
    const actor = await resolveApiKey(t.db, key);
    expect(actor).toEqual({
      kind: "api_key",
      id: apiKey.id,
      name: "resolver",
      projectId: apiKey.projectId,
      role: "operator",
    });
    const used = async () =>
      (await t.db.select().from(apiKeys).where(eq(apiKeys.id, apiKey.id)))[0]?.lastUsedAt ?? null;
    const first = await used();
    expect(first).toBeInstanceOf(Date);
    await resolveApiKey(t.db, key);
    expect(await used()).toEqual(first);
    await t.db
      .update(apiKeys)
      .set({ lastUsedAt: new Date(Date.now() - 120_000) })
      .where(eq(apiKeys.id, apiKey.id));
    await resolveApiKey(t.db, key);
    expect((await used())?.getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it("answers null for unknown, malformed, revoked and expired keys", async () => {
    expect(await resolveApiKey(t.db, "qvr_unknown")).toBeNull();
    expect(await resolveApiKey(t.db, "not-a-key")).toBeNull();
    const { key, apiKey } = await createApiKey({
      ctx: owner,
      input: {
        project: "alpha",
        name: "short-lived",
        role: "viewer",
        expiresAt: new Date(Date.now() + 60_000),
      },
    });
    expect(await resolveApiKey(t.db, key)).not.toBeNull();
    await t.db
      .update(apiKeys)
      .set({ expiresAt: new Date(Date.now() - 1) })
      .where(eq(apiKeys.id, apiKey.id));
    expect(await resolveApiKey(t.db, key)).toBeNull();

    const live = await createApiKey({
      ctx: owner,
      input: { project: "alpha", name: "doomed", role: "viewer" },
    });
    expect(await resolveApiKey(t.db, live.key)).not.toBeNull();
    await revokeApiKey({ ctx: owner, input: { project: "alpha", id: live.apiKey.id } });
    expect(await resolveApiKey(t.db, live.key)).toBeNull();
  });
});

describe("listApiKeys and revokeApiKey", () => {
  it("lists a project's keys without hashes, and only that project's", async () => {
    await createApiKey({ ctx: editor, input: { project: "beta", name: "beta-key", role: "viewer" } });
    const alpha = await listApiKeys({ ctx: owner, input: { project: "alpha" } });
    expect(alpha.map((k) => k.name)).toContain("trainer");
    expect(alpha.map((k) => k.name)).not.toContain("beta-key");
    for (const k of alpha) expect(k).not.toHaveProperty("keyHash");
  });

  it("revokes once: a second revoke changes nothing and writes no second audit entry", async () => {
    const { apiKey } = await createApiKey({
      ctx: owner,
      input: { project: "alpha", name: "twice", role: "viewer" },
    });
    const first = await revokeApiKey({ ctx: owner, input: { project: "alpha", id: apiKey.id } });
    expect(first.revokedAt).toBeInstanceOf(Date);
    const second = await revokeApiKey({ ctx: owner, input: { project: "alpha", id: apiKey.id } });
    expect(second.revokedAt).toEqual(first.revokedAt);
    const entries = (await t.db.select().from(auditLog).where(eq(auditLog.action, "api_key.revoke"))).filter(
      (e) => e.objectName === "twice",
    );
    expect(entries).toHaveLength(1);
    expect(entries[0]?.before).toMatchObject({ revokedAt: null });
  });

  it("does not revoke another project's key: 404 naming nothing of it", async () => {
    const [beta] = await listApiKeys({ ctx: editor, input: { project: "beta" } });
    await expect(
      revokeApiKey({ ctx: owner, input: { project: "alpha", id: beta?.id ?? "" } }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    const [still] = await listApiKeys({ ctx: editor, input: { project: "beta" } });
    expect(still?.revokedAt).toBeNull();
  });
});
