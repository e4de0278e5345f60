import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { recordAudit } from "../audit/record";
import { projects, users } from "../db/schema";
import { type Auth, createAuth } from "./better-auth";
import { CLIENT_IP_HEADER } from "./client-ip";

/** The auth doors (setup, sign-in) answer a NUL character with a 400, never a 500 from Postgres. */
let t: TestDb;
let auth: Auth;
const ORIGIN = "http://localhost:3100";

beforeAll(async () => {
  t = await createTestDb();
  await t.db.insert(projects).values({ name: "demo" });
  const base = testCtx(t);
  auth = createAuth(t.db, {
    secret: "test-secret-test-secret-test-secret-0123",
    ctxFor: (actor) => ({ ...base, actor }),
    audit: (actor, entry) => recordAudit({ ...base, actor }, entry),
  });
});
afterAll(() => t.drop());

function post(path: string, body: unknown, ip: string): Promise<Response> {
  return auth.handler(
    new Request(`${ORIGIN}/api/auth${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: ORIGIN, [CLIENT_IP_HEADER]: ip },
      body: JSON.stringify(body),
    }),
  );
}

describe("a NUL character at the auth doors", () => {
  it("setup: 400 naming the field, and no user is made", async () => {
    const res = await post(
      "/quiver/setup",
      { name: "Ada\u0000", email: "ada@example.com", password: "correct horse battery" },
      "10.0.1.1",
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      field: "name",
      message: "name: must not contain the NUL character (\\u0000)",
    });
    expect(await t.db.select().from(users)).toHaveLength(0);
  });

  it("sign-in: 400 naming the field (the failed login's audit entry cannot hold it either)", async () => {
    const res = await post(
      "/sign-in/email",
      { email: "ada\u0000@example.com", password: "correct horse battery" },
      "10.0.1.2",
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      field: "email",
      message: "email: must not contain the NUL character (\\u0000)",
    });
  });
});
