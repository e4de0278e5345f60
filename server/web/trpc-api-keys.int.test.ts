import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { seedBasics } from "../../test/fixtures/registry";
import { createApiKey, revokeApiKey } from "../auth/api-keys";
import { createRateLimiter, type RateLimiter } from "../auth/rate-limit";
import type { SessionResolver } from "../auth/request-actor";
import type { Role } from "../auth/roles";
import type { Ctx } from "../core/context";
import { rootLogger } from "../core/log";
import { ensureProject } from "../registry";
import { appRouter } from "../trpc/root";
import { requestTrpcContext } from "./trpc-context";

/**
 * API keys on tRPC, as on REST: a script registers definitions with a key and no browser session,
 * under the key's role; a refused key is never treated as anonymous.
 */
let t: TestDb;
let ctx: Ctx;
const noSession: SessionResolver = async () => ({ kind: "anonymous" });
const roomy = createRateLimiter({ rate: 1000, burst: 1000 });
const keys: Partial<Record<Role | "other", { key: string; id: string }>> = {};

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t);
  await seedBasics(ctx, t, "proj");
  await ensureProject({ ctx, input: { name: "other" } });
  for (const role of ["viewer", "editor"] as const) {
    const made = await createApiKey({ ctx, input: { project: "proj", name: `k_${role}`, role } });
    keys[role] = { key: made.key, id: made.apiKey.id };
  }
  const other = await createApiKey({ ctx, input: { project: "other", name: "k_other", role: "owner" } });
  keys.other = { key: other.key, id: other.apiKey.id };
});
afterAll(() => t.drop());

async function call(
  path: string,
  input: unknown,
  opts: { headers?: Record<string, string>; query?: string; limiter?: RateLimiter } = {},
) {
  const body = JSON.stringify(superjson.serialize(input));
  // Queries are GETs with the input in the URL, as the browser's client sends them.
  const isQuery = /\.(list|get)$/.test(path);
  const url = new URL(`http://x/api/trpc/${path}${opts.query ?? ""}`);
  if (isQuery) url.searchParams.set("input", body);
  const req = new Request(
    url,
    isQuery
      ? { headers: opts.headers }
      : { method: "POST", body, headers: { "content-type": "application/json", ...opts.headers } },
  );
  const runtime = {
    db: t.db,
    apiKeyLimiter: opts.limiter ?? roomy,
    ctxFor: (actor: Ctx["actor"]) => ({ ...ctx, actor }),
  };
  const res = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: () => requestTrpcContext(req, runtime, noSession, rootLogger()),
  });
  const raw = (await res.json()) as { error?: { json?: { message?: string } } };
  return { status: res.status, message: raw.error?.json?.message ?? "" };
}

const bearer = (k: { key: string } | undefined) => ({ authorization: `Bearer ${k?.key ?? ""}` });
const entity = (name: string) => ({ project: "proj", name, joinKey: "k", valueType: "int64" });

describe("API keys on tRPC", () => {
  it("an editor key registers a definition, with no session", async () => {
    expect(
      (await call("entities.create", entity("from_script"), { headers: bearer(keys.editor) })).status,
    ).toBe(200);
    const viaHeader = await call("entities.create", entity("from_header"), {
      headers: { "x-api-key": keys.editor?.key ?? "" },
    });
    expect(viaHeader.status).toBe(200);
  });

  it("a viewer key reads but may not write: 403 naming the role", async () => {
    expect((await call("entities.list", { project: "proj" }, { headers: bearer(keys.viewer) })).status).toBe(
      200,
    );
    const refused = await call("entities.create", entity("nope"), { headers: bearer(keys.viewer) });
    expect(refused.status).toBe(403);
    expect(refused.message).toMatch(/needs the editor role; you are viewer/);
  });

  it("a key of another project sees nothing of this one (404)", async () => {
    expect((await call("entities.list", { project: "proj" }, { headers: bearer(keys.other) })).status).toBe(
      404,
    );
  });

  it("an unknown or revoked key is a 401, never anonymous", async () => {
    const unknown = await call("entities.list", { project: "proj" }, { headers: bearer({ key: "qv_nope" }) });
    expect(unknown.status).toBe(401);
    expect(unknown.message).toMatch(/API key not accepted/);
    // Even for a public-ish procedure a signed-in caller may use.
    expect((await call("projects.list", undefined, { headers: bearer({ key: "qv_nope" }) })).status).toBe(
      401,
    );
    const k = await createApiKey({ ctx, input: { project: "proj", name: "k_revoked", role: "owner" } });
    await revokeApiKey({ ctx, input: { project: "proj", id: k.apiKey.id } });
    expect((await call("entities.list", { project: "proj" }, { headers: bearer(k) })).status).toBe(401);
  });

  it("a key in the URL is refused (400)", async () => {
    const res = await call("entities.list", { project: "proj" }, { query: `?api_key=${keys.viewer?.key}` });
    expect(res.status).toBe(400);
  });

  it("a key over its rate gets 429", async () => {
    const tight = createRateLimiter({ rate: 0.001, burst: 1 });
    const opts = { headers: bearer(keys.viewer), limiter: tight };
    expect((await call("entities.list", { project: "proj" }, opts)).status).toBe(200);
    expect((await call("entities.list", { project: "proj" }, opts)).status).toBe(429);
  });

  it("an API key is never an instance administrator", async () => {
    const res = await call("admin.createProject", { name: "by_key" }, { headers: bearer(keys.other) });
    expect(res.status).toBe(403);
  });
});
