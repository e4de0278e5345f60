import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { recordingJobs } from "../../test/helpers/materialization";
import { PROJECT, seedServing } from "../../test/helpers/serving";
import { createApiKey, revokeApiKey } from "../auth/api-keys";
import { createRateLimiter, type RateLimiter } from "../auth/rate-limit";
import { actorFromRequestHeaders, type SessionResolver } from "../auth/request-actor";
import type { Role } from "../auth/roles";
import { closeRuntime } from "../boot/runtime";
import type { Ctx } from "../core/context";
import { resetEnvCache } from "../env";
import { ensureProject } from "../registry";
import {
  type CtxProvider,
  handleGetOnlineFeatures,
  handleHealth,
  handleMaterialize,
  handlePush,
} from "./http-handlers";

/**
 * The REST doors as callers see them: which key gets what answer. 401 = who are you, 403 = too
 * little, and a project the key cannot see answers exactly like one that does not exist.
 */

let t: TestDb;
let ctx: Ctx;
const noSession: SessionResolver = async () => ({ kind: "anonymous" });
const roomy = createRateLimiter({ rate: 1000, burst: 1000 });

/** What restCtx does, on the test database, with a limiter the test picks. */
const callerCtx =
  (limiter: RateLimiter = roomy): CtxProvider =>
  async (req) => ({
    ...ctx,
    actor: req ? await actorFromRequestHeaders(req, t.db, noSession, limiter) : { kind: "anonymous" },
  });

const keys: Record<string, string> = {};
async function key(project: string, role: Role, name = `${project}-${role}`, expiresAt?: Date) {
  const { key: k, apiKey } = await createApiKey({ ctx, input: { project, name, role, expiresAt } });
  keys[name] = k;
  return { key: k, id: apiKey.id };
}

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t, { jobs: recordingJobs() });
  await seedServing(ctx, t);
  await ensureProject({ ctx, input: { name: "other" } });
  for (const role of ["viewer", "consumer", "operator"] as const) await key(PROJECT, role);
  await key("other", "owner");
});
afterAll(() => t.drop());

const lookupBody = (project?: string) => ({
  ...(project ? { project } : {}),
  features: ["driver_hourly_stats:conv_rate"],
  entities: { driver_id: [1] },
});

function post(path: string, body: unknown, headers: Record<string, string> = {}, query = ""): Request {
  return new Request(`http://quiver.test/api/v1/${path}${query}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}
const bearer = (k: string | undefined) => ({ authorization: `Bearer ${k ?? ""}` });

async function answer(res: Response) {
  return { status: res.status, body: (await res.json()) as { error?: string } };
}
const lookup = (headers: Record<string, string>, project: string | undefined = PROJECT, query = "") =>
  handleGetOnlineFeatures(post("get-online-features", lookupBody(project), headers, query), callerCtx()).then(
    answer,
  );

describe("REST callers", () => {
  it("answers 401 without a key, naming how to send one", async () => {
    const res = await lookup({});
    expect(res.status).toBe(401);
    expect(res.body.error).toMatch(/Authorization or x-api-key/);
  });

  it("answers 401 for an unknown key, a malformed header, an expired and a revoked key", async () => {
    expect((await lookup(bearer("qvr_nope"))).status).toBe(401);
    expect((await lookup({ authorization: "Basic dXNlcjpwYXNz" })).status).toBe(401);
    expect((await lookup({ "x-api-key": " " })).status).toBe(401);
    const expiring = await key(PROJECT, "consumer", "expiring", new Date(Date.now() + 60_000));
    expect((await lookup(bearer(expiring.key))).status).toBe(200);
    await t.pool.query("update api_keys set expires_at = now() - interval '1 second' where id = $1", [
      expiring.id,
    ]);
    expect(await lookup(bearer(expiring.key))).toEqual({
      status: 401,
      body: { error: "API key not accepted: it is unknown, revoked or expired" },
    });
  });

  it("refuses a revoked key on the very next request", async () => {
    const k = await key(PROJECT, "consumer", "soon-revoked");
    expect((await lookup(bearer(k.key))).status).toBe(200);
    await revokeApiKey({ ctx, input: { project: PROJECT, id: k.id } });
    expect((await lookup(bearer(k.key))).status).toBe(401);
  });

  it("accepts Authorization: Bearer (any case) and x-api-key alike", async () => {
    const k = keys[`${PROJECT}-consumer`];
    expect((await lookup(bearer(k))).status).toBe(200);
    expect((await lookup({ authorization: `bearer ${k}` })).status).toBe(200);
    expect((await lookup({ "x-api-key": k ?? "" })).status).toBe(200);
  });

  it("refuses a key in the query string, even a valid one, even with a good header", async () => {
    const k = keys[`${PROJECT}-consumer`] ?? "";
    for (const query of [`?api_key=${k}`, `?key=${k}`, `?token=${k}`, `?x=${k}`, "?api_key=whatever"]) {
      const res = await lookup(bearer(k), PROJECT, query);
      expect(res).toEqual({
        status: 400,
        body: { error: "API keys in URLs are refused; send it in the Authorization header" },
      });
    }
  });

  it("hides another project: a key of `other` naming proj answers like a project that does not exist", async () => {
    const foreign = bearer(keys["other-owner"]);
    const named = await lookup(foreign, PROJECT);
    const ghost = await lookup(foreign, "ghost");
    expect([400, 404]).toContain(named.status);
    expect(named.status).toBe(ghost.status);
    expect(named.body.error).toBe(`project "${PROJECT}" not found`);
    expect(ghost.body.error).toBe('project "ghost" not found');
  });

  it("hides the default project from a key of another project", async () => {
    const saved = process.env.QUIVER_DEFAULT_PROJECT;
    process.env.QUIVER_DEFAULT_PROJECT = PROJECT;
    resetEnvCache();
    try {
      const res = await lookup(bearer(keys["other-owner"]), undefined);
      expect([400, 404]).toContain(res.status);
      expect(res.body.error).toBe(`project "${PROJECT}" not found`);
      expect((await lookup(bearer(keys[`${PROJECT}-consumer`]), undefined)).status).toBe(200);
    } finally {
      if (saved === undefined) delete process.env.QUIVER_DEFAULT_PROJECT;
      else process.env.QUIVER_DEFAULT_PROJECT = saved;
      resetEnvCache();
    }
  });

  it("answers 403 to a role too low: viewer reading values, consumer pushing or materializing", async () => {
    const viewer = await lookup(bearer(keys[`${PROJECT}-viewer`]));
    expect(viewer.status).toBe(403);
    expect(viewer.body.error).toMatch(/consumer/);
    expect((await lookup(bearer(keys[`${PROJECT}-consumer`]))).status).toBe(200);

    const consumer = bearer(keys[`${PROJECT}-consumer`]);
    const push = await handlePush(
      post(
        "push",
        { project: PROJECT, push_source_name: "driver_stats_source", df: { driver_id: [1] } },
        consumer,
      ),
      callerCtx(),
    );
    expect(push.status).toBe(403);
    const materialize = await handleMaterialize(
      post("materialize", { project: PROJECT, start_ts: "2026-01-01", end_ts: "2026-01-02" }, consumer),
      callerCtx(),
    );
    expect(materialize.status).toBe(403);
    const operator = bearer(keys[`${PROJECT}-operator`]);
    const allowed = await handleMaterialize(
      post("materialize", { project: PROJECT, start_ts: "2026-01-01", end_ts: "2026-01-02" }, operator),
      callerCtx(),
    );
    expect(allowed.status).toBe(202);
  });

  it("answers 429 with Retry-After once a key spends its burst", async () => {
    const tight = createRateLimiter({ rate: 1, burst: 2 });
    const k = bearer(keys[`${PROJECT}-consumer`]);
    const call = () =>
      handleGetOnlineFeatures(post("get-online-features", lookupBody(PROJECT), k), callerCtx(tight));
    expect((await call()).status).toBe(200);
    expect((await call()).status).toBe(200);
    const limited = await call();
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("1");
    // another key has its own bucket
    const other = bearer(keys[`${PROJECT}-viewer`]);
    const res = await handleGetOnlineFeatures(
      post("get-online-features", lookupBody(PROJECT), other),
      callerCtx(tight),
    );
    expect(res.status).not.toBe(429);
  });

  it("keeps health public and bare", async () => {
    const res = await answer(
      await handleHealth(new Request("http://quiver.test/api/v1/health"), callerCtx()),
    );
    expect(res).toEqual({ status: 200, body: { status: "ok", online_store: "postgres" } });
  });
});

describe("rate limiter", () => {
  it("refills at its rate and never above its burst", () => {
    let now = 0;
    const limiter = createRateLimiter({ rate: 10, burst: 3, now: () => now });
    expect([limiter.take("a"), limiter.take("a"), limiter.take("a")]).toEqual([0, 0, 0]);
    expect(limiter.take("a")).toBe(1);
    now += 100;
    expect(limiter.take("a")).toBe(0);
    now += 60_000;
    expect([limiter.take("a"), limiter.take("a"), limiter.take("a"), limiter.take("a")]).toEqual([
      0, 0, 0, 1,
    ]);
  });
});

/** The route file with restCtx: the wiring every app/api/v1 route uses. */
describe("app/api/v1 routes with restCtx", () => {
  const saved = {
    DATABASE_URL: process.env.DATABASE_URL,
    REDIS_URL: process.env.REDIS_URL,
    REDIS_CLUSTER_NODES: process.env.REDIS_CLUSTER_NODES,
  };
  beforeAll(() => {
    process.env.DATABASE_URL = t.url;
    delete process.env.REDIS_URL;
    delete process.env.REDIS_CLUSTER_NODES;
    resetEnvCache();
  });
  afterAll(async () => {
    await closeRuntime();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    resetEnvCache();
  });

  it("resolve the caller from the request's headers", async () => {
    const route = await import("@/app/api/v1/get-online-features/route");
    const call = (headers: Record<string, string>) =>
      route.POST(post("get-online-features", lookupBody(PROJECT), headers)).then((r) => r.status);
    expect(await call({})).toBe(401);
    expect(await call({ "x-api-key": keys[`${PROJECT}-consumer`] ?? "" })).toBe(200);
    expect(await call(bearer(keys[`${PROJECT}-viewer`]))).toBe(403);
    const health = await import("@/app/api/v1/health/route");
    expect((await health.GET(new Request("http://quiver.test/api/v1/health"))).status).toBe(200);
  });
});
