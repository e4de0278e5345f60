import { spawn } from "node:child_process";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestDb } from "../../test/db";
import { redisUrlOrSkip } from "../../test/db";
import {
  type Answer,
  openServingFixture,
  postJson,
  request,
  type ServerProcess,
  type ServingFixture,
  sample,
  spawnFeatureServer,
} from "../../test/helpers/feature-server";
import { driverKey, PROJECT } from "../../test/helpers/serving";
import { createApiKey, revokeApiKey } from "../auth/api-keys";
import { createRateLimiter } from "../auth/rate-limit";
import { actorFromRequestHeaders } from "../auth/request-actor";
import type { Role } from "../auth/roles";
import type { Ctx } from "../core/context";
import { ensureProject } from "../registry";
import { handleGetOnlineFeatures } from "../web/http-handlers";

/** Without REDIS_URL these run nowhere (under CI=true its absence is a failure). */
const REDIS = redisUrlOrSkip();

/**
 * The standalone feature server (`quiver serve`, a child process) against a real Postgres and
 * Redis: the same answers as the app's door, each refusal of the same auth and body rules, 404 and
 * 405, push, health, metrics and their access, and a Redis that goes away.
 */

let fx: ServingFixture;
let t: TestDb;
let ctx: Ctx;
let server: ServerProcess;
const keys: Record<string, { key: string; id: string }> = {};
const HOUR_AGO = new Date(Math.floor(Date.now() / 1000) * 1000 - 3600_000);
const ISO_HOUR_AGO = HOUR_AGO.toISOString().replace(".000Z", "Z");

async function key(project: string, role: Role, name: string, expiresAt?: Date) {
  const { key: k, apiKey } = await createApiKey({ ctx, input: { project, name, role, expiresAt } });
  keys[name] = { key: k, id: apiKey.id };
  return keys[name];
}
const bearer = (name: string) => ({ authorization: `Bearer ${keys[name]?.key ?? ""}` });

beforeAll(async () => {
  if (!REDIS) return;
  fx = await openServingFixture(11);
  ({ t, ctx } = fx);
  await ensureProject({ ctx, input: { name: "other" } });
  await key(PROJECT, "consumer", "consumer");
  await key(PROJECT, "viewer", "viewer");
  await key(PROJECT, "operator", "operator");
  await key(PROJECT, "consumer", "limited");
  await key("other", "owner", "other-owner");
  await ctx.online.write(PROJECT, "driver_hourly_stats", [
    {
      entityKey: driverKey(1001),
      values: { conv_rate: 0.71, acc_rate: 0.93, avg_daily_trips: 12 },
      eventTs: HOUR_AGO,
    },
  ]);
  server = await spawnFeatureServer({
    env: fx.serverEnv({
      QUIVER_API_KEY_RATE: "2",
      QUIVER_API_KEY_BURST: "20",
      QUIVER_METRICS_TOKEN: undefined,
    }),
  });
}, 120_000);

afterAll(async () => {
  const exit = server ? await server.stop() : undefined;
  await fx?.close();
  // A clean stop: the SIGTERM drained and exited 0.
  expect(exit).toEqual({ code: 0, signal: null });
}, 60_000);

const LOOKUP = {
  project: PROJECT,
  features: ["driver_hourly_stats:conv_rate", "driver_hourly_stats:acc_rate"],
  entities: { driver_id: [1001, 1002] },
};

const lookup = (
  headers: Record<string, string>,
  body: unknown = LOOKUP,
  path = "/api/v1/get-online-features",
) => postJson(`${server.url}${path}`, body, headers);

describe.skipIf(!REDIS)("the feature server", () => {
  it("answers a lookup exactly as the app's door does", async () => {
    const res = await lookup(bearer("consumer"));
    expect(res.status).toBe(200);
    // By hand: driver 1001 was written an hour ago, 1002 never.
    expect(res.json).toEqual({
      metadata: { feature_names: ["driver_id", "conv_rate", "acc_rate"] },
      results: [
        { values: [1001, 1002], statuses: ["PRESENT", "PRESENT"], event_timestamps: [EPOCH, EPOCH] },
        { values: [0.71, null], statuses: ["PRESENT", "NOT_FOUND"], event_timestamps: [ISO_HOUR_AGO, EPOCH] },
        { values: [0.93, null], statuses: ["PRESENT", "NOT_FOUND"], event_timestamps: [ISO_HOUR_AGO, EPOCH] },
      ],
    });
    const roomy = createRateLimiter({ rate: 1000, burst: 1000 });
    const app = await handleGetOnlineFeatures(
      new Request("http://quiver.test/api/v1/get-online-features", {
        method: "POST",
        headers: { "content-type": "application/json", ...bearer("consumer") },
        body: JSON.stringify(LOOKUP),
      }),
      async (req) => ({
        ...ctx,
        actor: req
          ? await actorFromRequestHeaders(req, t.db, async () => ({ kind: "anonymous" }), roomy)
          : { kind: "anonymous" },
      }),
    );
    expect(app.status).toBe(200);
    expect(await app.json()).toEqual(res.json);
    // Feast's own path at the root answers the same.
    expect((await lookup(bearer("consumer"), LOOKUP, "/get-online-features")).json).toEqual(res.json);
  });

  it("sends x-request-id on every answer: the client's when sane, else a new one", async () => {
    const mine = await lookup({ ...bearer("consumer"), "x-request-id": "trace-42" });
    expect(mine.headers["x-request-id"]).toBe("trace-42");
    const insane = await lookup({ "x-request-id": "no spaces allowed" });
    expect(insane.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    for (const res of [await request(`${server.url}/nope`), await request(`${server.url}/api/v1/push`)])
      expect(res.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("refuses callers as the app does, and sessions outright", async () => {
    const sessions =
      "send an API key in the Authorization (Bearer) or x-api-key header: the feature server does not accept sign-in sessions (cookies)";
    expect(await status(lookup({}))).toEqual([401, sessions]);
    expect(await status(lookup({ cookie: "better-auth.session_token=abc" }))).toEqual([401, sessions]);
    const unknown = "API key not accepted: it is unknown, revoked or expired";
    expect(await status(lookup({ authorization: "Bearer qvr_nope" }))).toEqual([401, unknown]);
    expect(await status(lookup({ authorization: "Basic dXNlcjpwYXNz" }))).toEqual([
      401,
      "Authorization header must be `Bearer <API key>`",
    ]);
    expect(await status(lookup({ "x-api-key": " " }))).toEqual([401, "x-api-key header is empty"]);
    expect((await lookup({ "x-api-key": keys.consumer?.key ?? "" })).status).toBe(200);
    const inUrl = "API keys in URLs are refused; send it in the Authorization header";
    for (const query of [`?api_key=${keys.consumer?.key}`, `?x=${keys.consumer?.key}`, "?token=whatever"])
      expect(await status(lookup(bearer("consumer"), LOOKUP, `/api/v1/get-online-features${query}`))).toEqual(
        [400, inUrl],
      );
    expect(await status(lookup(bearer("other-owner")))).toEqual([400, `project "${PROJECT}" not found`]);
    const viewer = await lookup(bearer("viewer"));
    expect(viewer.status).toBe(403);
  });

  it("refuses a revoked key and an expired one", async () => {
    const revoked = await key(PROJECT, "consumer", "soon-revoked");
    const expiring = await key(PROJECT, "consumer", "soon-expired", new Date(Date.now() + 3600_000));
    expect((await lookup(bearer("soon-revoked"))).status).toBe(200);
    expect((await lookup(bearer("soon-expired"))).status).toBe(200);
    await revokeApiKey({ ctx, input: { project: PROJECT, id: revoked.id } });
    await t.pool.query("update api_keys set expires_at = now() - interval '1 second' where id = $1", [
      expiring.id,
    ]);
    // A serving process may hold keys in memory; their change reaches it within a second (ADR 0023).
    for (const name of ["soon-revoked", "soon-expired"])
      expect(await until(async () => (await lookup(bearer(name))).status, 401, 5000)).toBe(401);
  });

  it("answers 429 with Retry-After once a key is over its rate", async () => {
    const answers: Answer[] = [];
    for (let i = 0; i < 30; i++) answers.push(await lookup(bearer("limited")));
    const refused = answers.filter((a) => a.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(answers.slice(0, 20).every((a) => a.status === 200)).toBe(true);
    expect(Number(refused[0]?.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(refused[0]?.json).toEqual({
      error: expect.stringMatching(/^rate limit of this API key exceeded/),
    });
  });

  it("applies the app's body rules", async () => {
    const url = `${server.url}/api/v1/get-online-features`;
    const invalid = [400, "body is not valid JSON"];
    expect(await status(postJson(url, "{features: [}", bearer("consumer")))).toEqual(invalid);
    expect(await status(postJson(url, "", bearer("consumer")))).toEqual(invalid);
    expect(
      await status(
        request(url, { method: "POST", headers: bearer("consumer"), body: Buffer.from([0x7b, 0xff, 0x7d]) }),
      ),
    ).toEqual(invalid);
    for (const body of ["[1,2]", '"text"', "null", "42"])
      expect(await status(postJson(url, body, bearer("consumer")))).toEqual([
        400,
        "body must be a JSON object",
      ]);
    const proto = [400, 'body must not hold a "__proto__" key'];
    expect(await status(postJson(url, '{"entities":{"__proto__":[1]}}', bearer("consumer")))).toEqual(proto);
    // The same key spelled with escapes: JSON.parse decodes it, so the check must too.
    expect(await status(postJson(url, '{"entities":{"\\u005f_proto__":[1]}}', bearer("consumer")))).toEqual(
      proto,
    );
    const nul = await postJson(
      url,
      { ...LOOKUP, features: ["driver_hourly_stats:conv\u0000rate"] },
      bearer("consumer"),
    );
    expect(nul.status).toBe(400);
    expect(nul.json).toMatchObject({ field: "features.0", error: expect.stringMatching(/NUL/) });
    // Schema errors name the field, before the caller is even resolved (no key here).
    expect(await postJson(url, { entities: { driver_id: [1] }, features: "x" }, {})).toMatchObject({
      status: 400,
      json: { field: "features" },
    });
  });

  it("answers 413 for a body over the limit, declared or streamed, and stays usable", async () => {
    const url = `${server.url}/api/v1/get-online-features`;
    const tooLarge = [413, "body too large: limit 1048576 bytes"];
    // Declared: refused before a byte of the body is read; streamed without a length: refused
    // once the limit is passed. Either way the client can send it all and read the answer.
    const cases: ({ size: number } & Record<string, string | number>)[] = [
      { "content-length": 2 * 1024 * 1024, size: 2 * 1024 * 1024 },
      { "transfer-encoding": "chunked", size: 1024 * 1024 + 10 },
    ];
    // A keep-alive client, as real ones are: the server drains the rest and keeps the connection.
    // (With "Connection: close" node:http closes once it has answered, and the client's unsent
    // rest meets a reset that can beat the answer: Node does no lingering close.)
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (const { size, ...framing } of cases) {
        const headers = { ...bearer("consumer"), "content-type": "application/json", ...framing };
        const body = Buffer.alloc(size, 0x20);
        expect(await status(request(url, { method: "POST", headers, body, agent }))).toEqual(tooLarge);
      }
    } finally {
      agent.destroy();
    }
    expect((await lookup(bearer("consumer"))).status).toBe(200);
  });

  it("answers 404 for an unknown route and 405 for a wrong method, in JSON", async () => {
    const missing = await request(`${server.url}/api/v1/materialize`, { method: "POST", body: "{}" });
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ error: "no such route: /api/v1/materialize" });
    expect(missing.headers["content-type"]).toBe("application/json");
    expect((await request(`${server.url}/`)).status).toBe(404);
    const wrong = await request(`${server.url}/api/v1/get-online-features`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe("POST");
    expect(wrong.json).toEqual({ error: "GET is not allowed on /api/v1/get-online-features: use POST" });
    const health = await request(`${server.url}/api/v1/health`, { method: "POST", body: "{}" });
    expect([health.status, health.headers.allow]).toEqual([405, "GET"]);
    // HEAD goes where GET does, without a body.
    const head = await request(`${server.url}/api/v1/health`, { method: "HEAD" });
    expect([head.status, head.text]).toEqual([200, ""]);
    expect((await request(`${server.url}/api/v1/push`, { method: "HEAD" })).status).toBe(405);
  });

  it("takes pushes from a key allowed to write, and serves them", async () => {
    const body = {
      project: PROJECT,
      push_source_name: "driver_stats_source",
      df: {
        driver_id: [2001],
        conv: [0.5],
        acc_rate: [0.25],
        avg_daily_trips: [7],
        event_timestamp: [ISO_HOUR_AGO],
      },
    };
    const refused = await postJson(`${server.url}/api/v1/push`, body, bearer("consumer"));
    expect(refused.status).toBe(403);
    const pushed = await postJson(`${server.url}/push`, body, bearer("operator"));
    expect(pushed).toMatchObject({
      status: 200,
      json: {
        push_source_name: "driver_stats_source",
        rows: 1,
        online: [{ feature_view: "driver_hourly_stats", written: 1, skipped: 0 }],
        offline_rows: 0,
      },
    });
    const read = await lookup(bearer("consumer"), { ...LOOKUP, entities: { driver_id: [2001] } });
    expect((read.json as { results: { values: unknown[] }[] }).results.map((r) => r.values)).toEqual([
      [2001],
      [0.5],
      [0.25],
    ]);
  });

  it("answers health without a caller, naming the online store", async () => {
    const res = await request(`${server.url}/api/v1/health`, {
      headers: { authorization: "Bearer qvr_nope" },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: "ok", online_store: "redis" });
    const body = res.json as { registry_cache?: unknown };
    if (body.registry_cache !== undefined)
      expect(body.registry_cache).toEqual({
        listening: expect.any(Boolean),
        age_seconds: expect.toBeOneOf([null, expect.any(Number)]),
      });
    expect((await request(`${server.url}/health`)).json).toMatchObject({ status: "ok" });
  });
});

describe.skipIf(!REDIS)("/metrics on the feature server", () => {
  const scrape = (headers: Record<string, string> = {}, host?: string) =>
    request(`${server.url}/metrics`, { headers, host });

  it("counts answered requests by route, method and status", async () => {
    const labels = { route: "/api/v1/get-online-features", method: "POST", status: "200" };
    const before = await scrape();
    expect(before.status).toBe(200);
    expect(before.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    for (let i = 0; i < 3; i++) await lookup(bearer("consumer"), LOOKUP, "/get-online-features");
    await request(`${server.url}/nowhere`);
    const after = (await scrape()).text;
    const count = (text: string, l: Record<string, string>) =>
      sample(text, "quiver_http_request_duration_seconds_count", l);
    expect(count(after, labels) - count(before.text, labels)).toBe(3);
    expect(count(after, { route: "other", method: "GET", status: "404" })).toBeGreaterThanOrEqual(1);
    expect(sample(after, "process_cpu_user_seconds_total")).toBeGreaterThan(0);
  });

  it("answers nobody whose client went away, and counts it as 499", async () => {
    const labels = { route: "/api/v1/push", method: "POST", status: "499" };
    const gone = async () =>
      sample((await scrape()).text, "quiver_http_request_duration_seconds_count", labels);
    const before = await gone();
    // Headers and half a body, then the connection closes.
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect(server.port, "127.0.0.1", () => {
        socket.write(
          'POST /api/v1/push HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"df":',
        );
        socket.destroy();
        resolve();
      });
      socket.on("error", reject);
    });
    expect(await until(gone, before + 1, 10_000)).toBe(before + 1);
  });

  it("refuses a client that came through a proxy, and one that is not on this machine", async () => {
    // The attack: a reverse proxy on the same machine forwards an internet client's scrape.
    for (const header of ["x-forwarded-for", "forwarded", "x-real-ip"]) {
      const res = await scrape({ [header]: header === "forwarded" ? "for=203.0.113.7" : "203.0.113.7" });
      expect(res.status).toBe(403);
      expect(res.text).not.toMatch(/quiver_/);
    }
    // An API key opens no metrics either, even a project owner's.
    expect((await scrape({ ...bearer("other-owner"), "x-forwarded-for": "203.0.113.7" })).status).toBe(403);
    // The same machine through a non-loopback address: its socket is not loopback.
    const lan = Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i && !i.internal && i.family === "IPv4");
    if (!lan) throw new Error("this test needs a non-loopback IPv4 interface");
    const outside = await scrape({}, lan.address);
    expect(outside.status).toBe(403);
    expect(outside.json).toEqual({
      error:
        "metrics are served only to loopback clients that came through no proxy; set QUIVER_METRICS_TOKEN to scrape from elsewhere",
    });
  });
});

describe.skipIf(!REDIS)("a Redis that goes away", () => {
  it("answers 503 naming the online store, fast, and writes nothing on push", async () => {
    const { child: redisServer, url } = await privateRedis();
    let down: ServerProcess | undefined;
    try {
      down = await spawnFeatureServer({ env: fx.serverEnv({ REDIS_URL: url }) });
      const ok = await postJson(`${down.url}/api/v1/get-online-features`, LOOKUP, bearer("operator"));
      expect(ok.status).toBe(200);
      redisServer.kill("SIGKILL");
      await new Promise((resolve) => redisServer.once("exit", resolve));

      const offlineRows = async () =>
        Number((await t.offlineSql(PROJECT, "select count(*) as n from driver_stats")).rows[0]?.n);
      const rowsBefore = await offlineRows();
      const started = performance.now();
      const lookupDown = await postJson(`${down.url}/api/v1/get-online-features`, LOOKUP, bearer("operator"));
      const pushDown = await postJson(
        `${down.url}/api/v1/push`,
        {
          project: PROJECT,
          push_source_name: "driver_stats_source",
          to: "online_and_offline",
          df: {
            driver_id: [3001],
            conv: [0.1],
            acc_rate: [0.2],
            avg_daily_trips: [1],
            event_timestamp: [ISO_HOUR_AGO],
          },
        },
        bearer("operator"),
      );
      const elapsed = performance.now() - started;
      for (const res of [lookupDown, pushDown]) {
        expect(res.status).toBe(503);
        expect((res.json as { error: string }).error).toMatch(
          /^Redis online store unreachable at 127\.0\.0\.1:\d+/,
        );
      }
      // Decided by the client's own failure, not by a timeout: well under the 5 s command timeout.
      expect(elapsed).toBeLessThan(4000);
      // All or nothing: the offline rows of the failed push were rolled back.
      expect(await offlineRows()).toBe(rowsBefore);
      const health = await request(`${down.url}/api/v1/health`);
      expect(health.status).toBe(503);
      expect(health.json).toMatchObject({
        status: "unavailable",
        online_store: "redis",
        checks: { postgres: "ok", online_store: "down" },
      });
    } finally {
      await down?.stop();
      redisServer.kill("SIGKILL");
    }
  }, 180_000);
});

const EPOCH = "1970-01-01T00:00:00Z";

async function status(answer: Promise<Answer>): Promise<[number, unknown]> {
  const a = await answer;
  return [a.status, (a.json as { error?: unknown } | undefined)?.error];
}

/** Polls `probe` until it gives `want` or `ms` pass; returns the last value. */
async function until<T>(probe: () => Promise<T>, want: T, ms: number): Promise<T> {
  const end = Date.now() + ms;
  let last = await probe();
  while (last !== want && Date.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    last = await probe();
  }
  return last;
}

/** A redis-server of this test's own (killed to take the online store away), on a free port. */
async function privateRedis() {
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  await new Promise<void>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (c: Buffer) => {
      out += c.toString();
      if (out.includes("Ready to accept connections")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`redis-server exited with ${code}: ${out}`)));
  });
  return { child, url: `redis://127.0.0.1:${port}` };
}
