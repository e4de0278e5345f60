import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { UnauthorizedError } from "../auth/authorize";
import { type Auth, createAuth } from "../auth/better-auth";
import { CLIENT_IP_HEADER } from "../auth/client-ip";
import { createUser } from "../auth/users";
import type { Ctx } from "../core/context";
import { listInstanceAudit } from "./instance";
import { recordAudit } from "./record";
import { listMySignIns } from "./sign-ins";

/**
 * A person's own recent sign-ins (the account menu), from the audit entries better-auth's hook
 * writes: their logins, and failed logins naming their email, each with the client address.
 */
let t: TestDb;
let local: Ctx;
let auth: Auth;
const ORIGIN = "http://localhost:3000";
const ada = { name: "Ada", email: "ada@example.com", password: "correct horse battery" };
const bob = { name: "Bob", email: "bob@example.com", password: "another long password" };
const ids = { ada: "", bob: "" };

beforeAll(async () => {
  t = await createTestDb();
  local = testCtx(t);
  auth = createAuth(t.db, {
    secret: "test-secret-test-secret-test-secret-0123",
    loginsPerMinute: 100,
    ctxFor: (actor) => ({ ...local, actor }),
    audit: (actor, entry) => recordAudit({ ...local, actor }, entry),
  });
  ids.ada = (await createUser({ ctx: local, input: ada })).user.id;
  ids.bob = (await createUser({ ctx: local, input: { ...bob, admin: true } })).user.id;
});
afterAll(() => t.drop());

const as = (id: string, email: string): Ctx => ({ ...local, actor: { kind: "user", id, name: email } });

function signIn(email: string, password: string, ip: string): Promise<Response> {
  return auth.handler(
    new Request(`${ORIGIN}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: ORIGIN, [CLIENT_IP_HEADER]: ip },
      body: JSON.stringify({ email, password }),
    }),
  );
}

describe("listMySignIns", () => {
  it("lists my logins and the failed ones against my email, newest first, with the client address", async () => {
    expect((await signIn(ada.email, ada.password, "10.1.0.1")).status).toBe(200);
    expect((await signIn(ada.email, "wrong password!", "10.1.0.2")).status).toBe(401);
    expect((await signIn(bob.email, bob.password, "10.1.0.3")).status).toBe(200);
    expect((await signIn(ada.email, ada.password, "10.1.0.4")).status).toBe(200);

    const mine = await listMySignIns({ ctx: as(ids.ada, ada.email) });
    expect(mine.map((s) => [s.outcome, s.ip])).toEqual([
      ["success", "10.1.0.4"],
      ["failed", "10.1.0.2"],
      ["success", "10.1.0.1"],
    ]);
    expect(mine.every((s) => s.at instanceof Date)).toBe(true);
    const bobs = await listMySignIns({ ctx: as(ids.bob, bob.email) });
    expect(bobs.map((s) => [s.outcome, s.ip])).toEqual([["success", "10.1.0.3"]]);
  });

  it("keeps to the last N", async () => {
    const two = await listMySignIns({ ctx: as(ids.ada, ada.email), input: { limit: 2 } });
    expect(two.map((s) => s.ip)).toEqual(["10.1.0.4", "10.1.0.2"]);
  });

  it("shows entries without an address (written before addresses were recorded) with none", async () => {
    await recordAudit(as(ids.bob, bob.email), {
      action: "auth.login",
      objectType: "user",
      objectName: bob.email,
    });
    const [latest] = await listMySignIns({ ctx: as(ids.bob, bob.email) });
    expect(latest).toMatchObject({ outcome: "success", ip: null });
  });

  it("is empty for an API key and Quiver's own actors; anonymous is refused", async () => {
    const key: Ctx = {
      ...local,
      actor: { kind: "api_key", id: randomUUID(), name: "ci", projectId: randomUUID(), role: "owner" },
    };
    expect(await listMySignIns({ ctx: key })).toEqual([]);
    expect(await listMySignIns({ ctx: local })).toEqual([]);
    await expect(listMySignIns({ ctx: { ...local, actor: { kind: "anonymous" } } })).rejects.toThrow(
      UnauthorizedError,
    );
  });

  it("shows the same sign-ins to an admin in the instance audit log", async () => {
    const page = await listInstanceAudit({
      ctx: as(ids.bob, bob.email),
      input: { action: "auth.login_failed", instanceOnly: true },
    });
    expect(page.items.map((e) => [e.objectName, e.after])).toEqual([[ada.email, { ip: "10.1.0.2" }]]);
  });
});
