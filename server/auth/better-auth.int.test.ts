import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { recordAudit } from "../audit/record";
import { auditLog, projectMembers, projects, users } from "../db/schema";
import { type Auth, createAuth } from "./better-auth";
import { CLIENT_IP_HEADER } from "./client-ip";

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

function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return auth.handler(
    new Request(`${ORIGIN}/api/auth${path}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        origin: ORIGIN,
        [CLIENT_IP_HEADER]: "10.0.0.1",
        ...headers,
      },
      body: JSON.stringify(body),
    }),
  );
}

function sessionCookie(res: Response): string {
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith("__Secure-quiver.session_token="));
  if (!cookie) throw new Error(`no session cookie in ${res.headers.getSetCookie().join("; ")}`);
  return cookie;
}

const owner = { name: "Ada", email: "ada@example.com", password: "correct horse battery" };

describe("better-auth wiring", () => {
  it("refuses sign-up: accounts come only from setup and the CLI", async () => {
    const res = await post("/sign-up/email", owner, { [CLIENT_IP_HEADER]: "10.0.0.9" });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(await t.db.select().from(users)).toHaveLength(0);
  });

  it("refuses setup from a foreign origin", async () => {
    const res = await post("/quiver/setup", owner, {
      origin: "https://evil.example",
      [CLIENT_IP_HEADER]: "10.0.0.7",
    });
    expect(res.status).toBe(403);
    expect(await t.db.select().from(users)).toHaveLength(0);
  });

  it("setup names the wrong field", async () => {
    const res = await post(
      "/quiver/setup",
      { ...owner, password: "short" },
      { [CLIENT_IP_HEADER]: "10.0.0.8" },
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      field: "password",
      message: expect.stringContaining("10 characters"),
    });
  });

  it("setup creates the owner and signs them in with a secure, HTTP-only cookie", async () => {
    const res = await post("/quiver/setup", owner);
    expect(res.status).toBe(200);
    const cookie = sessionCookie(res);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/Secure/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const [user] = await t.db.select().from(users);
    expect(user?.email).toBe("ada@example.com");
    expect(await t.db.select().from(projectMembers)).toHaveLength(1);
    const session = await auth.api.getSession({
      headers: new Headers({ cookie: cookie.split(";")[0] ?? "" }),
    });
    expect(session?.user.email).toBe("ada@example.com");
  });

  it("setup is refused once a user exists", async () => {
    const res = await post(
      "/quiver/setup",
      { ...owner, email: "eve@example.com" },
      { [CLIENT_IP_HEADER]: "10.0.0.2" },
    );
    expect(res.status).toBe(409);
    expect(await t.db.select().from(users)).toHaveLength(1);
  });

  it("refuses a sign-in from a foreign origin", async () => {
    const res = await post(
      "/sign-in/email",
      { email: owner.email, password: owner.password },
      { origin: "https://evil.example", [CLIENT_IP_HEADER]: "10.0.0.3" },
    );
    expect(res.status).toBe(403);
  });

  it("signs in, audits the login and a failed one", async () => {
    const ip = { [CLIENT_IP_HEADER]: "10.0.0.4" };
    const bad = await post("/sign-in/email", { email: owner.email, password: "wrong password!" }, ip);
    expect(bad.status).toBe(401);
    const good = await post("/sign-in/email", { email: owner.email, password: owner.password }, ip);
    expect(good.status).toBe(200);
    sessionCookie(good);
    const rows = await t.db.select().from(auditLog).where(eq(auditLog.objectName, owner.email));
    const actions = rows.map((r) => r.action);
    expect(actions).toContain("auth.login");
    expect(actions).toContain("auth.login_failed");
    const login = rows.find((r) => r.action === "auth.login");
    expect(login?.actorKind).toBe("user");
  });

  it("throttles sign-in per client IP, whatever x-forwarded-for says", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await post(
        "/sign-in/email",
        { email: owner.email, password: "wrong password!" },
        { [CLIENT_IP_HEADER]: "10.0.0.5", "x-forwarded-for": `192.0.2.${i}` },
      );
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    // Another client is not locked out.
    const other = await post(
      "/sign-in/email",
      { email: owner.email, password: owner.password },
      { [CLIENT_IP_HEADER]: "10.0.0.6" },
    );
    expect(other.status).toBe(200);
  });
});
