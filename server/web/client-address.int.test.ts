import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { recordAudit } from "../audit/record";
import { type Auth, createAuth } from "../auth/better-auth";
import { CLIENT_IP_HEADER, trustedProxies } from "../auth/client-ip";
import { projects } from "../db/schema";
import { requestListener } from "./app-server";

// The login throttle (5 a minute per client) keyed on the address Quiver's own HTTP server decides:
// requests reach better-auth through the app server's listener over a real loopback socket, as
// from a reverse proxy on 127.0.0.1 or from a client connecting directly.

const ORIGIN = "http://localhost:3100";
const owner = { name: "Ada", email: "ada@example.com", password: "correct horse battery" };

let t: TestDb;
let auth: Auth;
const servers: http.Server[] = [];

beforeAll(async () => {
  t = await createTestDb();
  await t.db.insert(projects).values({ name: "demo" });
  const base = testCtx(t);
  auth = createAuth(t.db, {
    secret: "test-secret-test-secret-test-secret-0123",
    loginsPerMinute: 5,
    ctxFor: (actor) => ({ ...base, actor }),
    audit: (actor, entry) => recordAudit({ ...base, actor }, entry),
    origins: { port: 3100 },
  });
  const setup = await auth.handler(
    new Request(`${ORIGIN}/api/auth/quiver/setup`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: ORIGIN, [CLIENT_IP_HEADER]: "10.0.0.1" },
      body: JSON.stringify(owner),
    }),
  );
  expect(setup.status).toBe(200);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  await t.drop();
});

/** Node request → better-auth, as Next's route handler would pass it on. */
async function toAuth(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers))
    if (typeof value === "string" && name !== "host") headers.set(name, value);
  const answer = await auth.handler(
    new Request(`${ORIGIN}${req.url}`, {
      method: req.method,
      headers,
      body: chunks.length ? Buffer.concat(chunks) : undefined,
    }),
  );
  res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "text/plain" });
  res.end(Buffer.from(await answer.arrayBuffer()));
}

/** An app server listener on 127.0.0.1 with these QUIVER_TRUSTED_PROXIES; its base URL. */
async function serve(proxies: string[]): Promise<string> {
  const server = http.createServer(requestListener(toAuth, trustedProxies(proxies)));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function signIn(base: string, password: string, headers: Record<string, string>): Promise<number> {
  const res = await fetch(`${base}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: ORIGIN, ...headers },
    body: JSON.stringify({ email: owner.email, password }),
  });
  await res.arrayBuffer();
  return res.status;
}

describe("the client address of the login throttle", () => {
  it("is the socket's without QUIVER_TRUSTED_PROXIES, whatever X-Forwarded-For and client-ip say", async () => {
    const base = await serve([]);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++)
      statuses.push(
        await signIn(base, "wrong password!", {
          "x-forwarded-for": `192.0.2.${i + 1}`,
          [CLIENT_IP_HEADER]: `198.51.100.${i + 1}`,
        }),
      );
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
  });

  it("is the right-most untrusted X-Forwarded-For hop when the socket is a trusted proxy", async () => {
    const base = await serve(["127.0.0.1", "10.0.0.0/8"]);
    const statuses: number[] = [];
    // One client behind two proxies, with a forged left-most hop that changes on every attempt.
    for (let i = 0; i < 7; i++)
      statuses.push(
        await signIn(base, "wrong password!", {
          "x-forwarded-for": `192.0.2.${100 + i}, 203.0.113.7, 10.1.1.1`,
        }),
      );
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    // Another client behind the same proxy is not locked out.
    expect(await signIn(base, owner.password, { "x-forwarded-for": "203.0.113.8" })).toBe(200);
  });
});
