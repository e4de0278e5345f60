import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { proxy } from "../../proxy";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { recordAudit } from "../audit/record";
import { type Auth, createAuth } from "../auth/better-auth";
import { CLIENT_IP_HEADER } from "../auth/client-ip";
import { projects } from "../db/schema";
import { resetEnvCache } from "../env";

// Sign-in and sign-out from the origins docs/adr/0015 trusts, through both doors a browser's write
// passes: proxy.ts (Next's proxy) and better-auth's handler, configured as `quiver start` would
// be with PORT=3100 and QUIVER_PUBLIC_URL=https://features.example.com behind a reverse proxy.

const PUBLIC = "https://features.example.com";
// Next builds every request's URL from its own hostname and port, whatever the Host header says.
const NEXT_URL = "http://localhost:3100";
const owner = { name: "Ada", email: "ada@example.com", password: "correct horse battery" };

let t: TestDb;
let auth: Auth;
const savedEnv = { ...process.env };
let ip = 0;

beforeAll(async () => {
  process.env.PORT = "3100";
  process.env.QUIVER_PUBLIC_URL = PUBLIC;
  process.env.QUIVER_TRUSTED_ORIGINS = "https://ops.example.com";
  resetEnvCache();
  t = await createTestDb();
  await t.db.insert(projects).values({ name: "demo" });
  const base = testCtx(t);
  // No `origins` option: the settings come from the environment, as in getAuth().
  auth = createAuth(t.db, {
    secret: "test-secret-test-secret-test-secret-0123",
    ctxFor: (actor) => ({ ...base, actor }),
    audit: (actor, entry) => recordAudit({ ...base, actor }, entry),
  });
  const setup = await send("/quiver/setup", owner, {
    origin: "http://localhost:3100",
    host: "localhost:3100",
  });
  expect(setup.status).toBe(200);
});

afterAll(async () => {
  process.env = { ...savedEnv };
  resetEnvCache();
  await t.drop();
});

function request(path: string, body: unknown, headers: Record<string, string>): Request {
  ip += 1;
  return new Request(`${NEXT_URL}/api/auth${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "sec-fetch-site": "same-origin",
      "sec-fetch-mode": "cors",
      "sec-fetch-dest": "empty",
      [CLIENT_IP_HEADER]: `10.0.1.${ip}`,
      ...headers,
    },
    body: JSON.stringify(body),
  });
}

/** Through proxy.ts first; better-auth only when the proxy lets the request through. */
async function send(path: string, body: unknown, headers: Record<string, string>): Promise<Response> {
  const verdict = proxy(new NextRequest(request(path, body, headers)));
  if (verdict.status !== 200) return verdict;
  return auth.handler(request(path, body, headers));
}

function sessionCookie(res: Response): string {
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith("__Secure-quiver.session_token="));
  if (!cookie) throw new Error(`no session cookie in ${res.headers.getSetCookie().join("; ")}`);
  return cookie.split(";")[0] ?? "";
}

const TRUSTED: [string, Record<string, string>][] = [
  ["the loopback name localhost", { origin: "http://localhost:3100", host: "localhost:3100" }],
  ["the loopback address 127.0.0.1", { origin: "http://127.0.0.1:3100", host: "127.0.0.1:3100" }],
  ["the IPv6 loopback [::1]", { origin: "http://[::1]:3100", host: "[::1]:3100" }],
  ["the public URL, Host passed through", { origin: PUBLIC, host: "features.example.com" }],
  ["the public URL, Host rewritten by the proxy", { origin: PUBLIC, host: "127.0.0.1:3100" }],
  ["an extra trusted origin", { origin: "https://ops.example.com", host: "ops.example.com" }],
];

describe("signing in and out from a trusted origin", () => {
  it.each(TRUSTED)("works from %s", async (_, headers) => {
    const signIn = await send("/sign-in/email", { email: owner.email, password: owner.password }, headers);
    expect(signIn.status).toBe(200);
    const cookie = sessionCookie(signIn);
    const session = await auth.api.getSession({ headers: new Headers({ cookie }) });
    expect(session?.user.email).toBe(owner.email);

    const signOut = await send("/sign-out", {}, { ...headers, cookie });
    expect(signOut.status).toBe(200);
    expect(await auth.api.getSession({ headers: new Headers({ cookie }) })).toBeNull();
  });
});

const FOREIGN: [string, Record<string, string>][] = [
  ["another site", { origin: "https://evil.example", host: "localhost:3100" }],
  ["another site naming itself in Host", { origin: "http://evil.example", host: "evil.example" }],
  [
    "the public host over plain http",
    { origin: "http://features.example.com", host: "features.example.com" },
  ],
  ["a loopback name on another port", { origin: "http://127.0.0.1:3000", host: "127.0.0.1:3000" }],
  ["a LAN hostname nobody configured", { origin: "http://box.lan:3100", host: "box.lan:3100" }],
];

describe("a foreign origin", () => {
  it.each(FOREIGN)("is refused by the proxy: %s", async (_, headers) => {
    const res = proxy(new NextRequest(request("/sign-in/email", { email: owner.email }, headers)));
    expect(res.status).toBe(403);
  });

  it.each(FOREIGN)("is refused by better-auth too: %s", async (_, headers) => {
    const res = await auth.handler(
      request("/sign-in/email", { email: owner.email, password: owner.password }, headers),
    );
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie()).toEqual([]);
  });
});
