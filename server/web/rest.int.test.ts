import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { recordingJobs } from "../../test/helpers/materialization";
import { PROJECT, postJson, postJson as postJsonAnonymous, seedServing } from "../../test/helpers/serving";
import { captureLog } from "../../test/log";
import { createApiKey } from "../auth/api-keys";
import { closeRuntime } from "../boot/runtime";
import type { Ctx } from "../core/context";
import { ConflictError, NotFoundError } from "../core/errors";
import { resetEnvCache } from "../env";
import { errorResponse, withErrorHandling } from "../http/rest";
import { connectRedis, createRedisOnlineStore } from "../online/redis-store";
import type { OnlineStore } from "../online/types";
import {
  handleGetOnlineFeatures,
  handleHealth,
  handleMaterialize,
  handleMaterializeIncremental,
  handlePush,
} from "./http-handlers";
import { restCtx } from "./rest-ctx";

let t: TestDb;
let ctx: Ctx;
let jobs: ReturnType<typeof recordingJobs>;
const provide = () => Promise.resolve(ctx);

beforeAll(async () => {
  t = await createTestDb();
  jobs = recordingJobs();
  ctx = testCtx(t, { jobs });
  await seedServing(ctx, t);
});
afterAll(() => t.drop());

const echo = withErrorHandling(async ({ json }) => Response.json(await json()));
const raw = (body: BodyInit | null, headers: Record<string, string> = {}) =>
  new Request("http://quiver.test/api/v1/x", { method: "POST", body, headers });

async function answer(res: Response) {
  return { status: res.status, body: await res.json() };
}

describe("withErrorHandling", () => {
  it("hands a JSON object body to the handler", async () => {
    expect(await answer(await echo(raw('{"a":[1,2]}')))).toEqual({ status: 200, body: { a: [1, 2] } });
  });

  it("answers 400 for a body that is not JSON, not UTF-8, empty, or not an object", async () => {
    const invalid = { status: 400, body: { error: "body is not valid JSON" } };
    expect(await answer(await echo(raw("{features: [}")))).toEqual(invalid);
    expect(await answer(await echo(raw("")))).toEqual(invalid);
    expect(await answer(await echo(raw(null)))).toEqual(invalid);
    expect(await answer(await echo(raw(new Uint8Array([0x7b, 0xff, 0x7d]))))).toEqual(invalid);
    for (const body of ["[1,2]", '"text"', "null", "42"])
      expect(await answer(await echo(raw(body)))).toEqual({
        status: 400,
        body: { error: "body must be a JSON object" },
      });
    expect(await answer(await echo(raw('{"entities":{"__proto__":[1]}}')))).toEqual({
      status: 400,
      body: { error: 'body must not hold a "__proto__" key' },
    });
  });

  it("answers 413 for a body over the limit, whatever Content-Length says", async () => {
    const big = JSON.stringify({ pad: "x".repeat(1024 * 1024) });
    const tooLarge = { status: 413, body: { error: "body too large: limit 1048576 bytes" } };
    expect(await answer(await echo(raw(big)))).toEqual(tooLarge);
    expect(await answer(await echo(raw("{}", { "content-length": String(2 * 1024 * 1024) })))).toEqual(
      tooLarge,
    );
    // a streamed body with no Content-Length is cut off while reading
    const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        sent += 1;
        if (sent > 100) c.close();
        else c.enqueue(chunk);
      },
    });
    const req = new Request("http://quiver.test/x", {
      method: "POST",
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(await answer(await echo(req))).toEqual(tooLarge);
    expect(sent).toBeLessThan(100);
  });

  it("maps domain errors to their status with the field, anything else to a bare 500", async () => {
    const throwing = (e: unknown) =>
      withErrorHandling(async () => {
        throw e;
      })(raw("{}"));
    expect(await answer(await throwing(new NotFoundError('view "v" not found', "name")))).toEqual({
      status: 404,
      body: { error: 'view "v" not found', field: "name" },
    });
    expect(await answer(await throwing(new ConflictError("stale")))).toEqual({
      status: 409,
      body: { error: "stale" },
    });
    const log = captureLog();
    try {
      const res = await throwing(new Error("password=hunter2 at db.internal"));
      expect(await answer(res)).toEqual({ status: 500, body: { error: "internal error" } });
      expect(log.lines).toHaveLength(1);
    } finally {
      log.restore();
    }
  });

  it("logs a 500 once, with the request id its answer carries", async () => {
    const failing = async () => ({
      ...ctx,
      online: { ...ctx.online, read: () => Promise.reject(new Error("bug in the store")) },
    });
    const cases: [Record<string, string>, (id: string) => void][] = [
      // A sane id from a client or proxy is kept; anything else is replaced by a new one.
      [{ "x-request-id": "lb-7f3a9c" }, (id) => expect(id).toBe("lb-7f3a9c")],
      [{ "x-request-id": "two words" }, (id) => expect(id).toMatch(/^[0-9a-f-]{36}$/)],
      [{}, (id) => expect(id).toMatch(/^[0-9a-f-]{36}$/)],
    ];
    for (const [headers, check] of cases) {
      const log = captureLog();
      try {
        const req = postJson("get-online-features", {
          project: PROJECT,
          features: ["driver_hourly_stats:conv_rate"],
          entities: { driver_id: [1] },
        });
        for (const [k, v] of Object.entries(headers)) req.headers.set(k, v);
        const res = await handleGetOnlineFeatures(req, failing);
        expect(await answer(res)).toEqual({ status: 500, body: { error: "internal error" } });
        const id = res.headers.get("x-request-id") ?? "";
        check(id);
        expect(log.lines).toEqual([
          expect.objectContaining({
            level: "error",
            msg: "request failed",
            requestId: id,
            method: "POST",
            path: "/api/v1/get-online-features",
            err: expect.objectContaining({ type: "Error", message: "bug in the store" }),
          }),
        ]);
      } finally {
        log.restore();
      }
    }
  });

  it("sends the request id with every answer, not only errors", async () => {
    const ok = await echo(raw("{}", { "x-request-id": "abc-1" }));
    expect(ok.headers.get("x-request-id")).toBe("abc-1");
    const refused = await echo(raw("nope"));
    expect(refused.status).toBe(400);
    expect(refused.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("lets push bodies be larger than lookups", async () => {
    const df = { driver_id: Array.from({ length: 200_000 }, (_, i) => i) };
    const body = { push_source_name: "driver_stats_source", df, project: PROJECT };
    expect(JSON.stringify(body).length).toBeGreaterThan(1024 * 1024);
    const res = await answer(await handlePush(postJson("push", body), provide));
    expect(res).toEqual({
      status: 400,
      body: { error: "batch too large: 200000 rows, limit 10000", field: "df" },
    });
    const lookup = await handleGetOnlineFeatures(postJson("get-online-features", body), provide);
    expect(lookup.status).toBe(413);
  });

  it("does not build the context for a request whose body is refused", async () => {
    const never = vi.fn(provide);
    expect((await handleGetOnlineFeatures(raw("nope"), never)).status).toBe(400);
    expect((await handlePush(raw("[]"), never)).status).toBe(400);
    expect((await handleMaterialize(raw("{"), never)).status).toBe(400);
    expect((await handleMaterialize(postJson("materialize", { end_ts: "x" }), never)).status).toBe(400);
    expect(never).not.toHaveBeenCalled();
  });

  it("shapes errors with errorResponse", async () => {
    expect(await answer(errorResponse(418, "teapot"))).toEqual({ status: 418, body: { error: "teapot" } });
  });
});

describe("health", () => {
  const quiet = () => vi.spyOn(console, "error").mockImplementation(() => {});

  it("answers 200 with the online store's kind when Postgres and the store answer", async () => {
    const res = await handleHealth(new Request("http://quiver.test/api/v1/health"), provide);
    expect(await answer(res)).toEqual({ status: 200, body: { status: "ok", online_store: "postgres" } });
  });

  it("answers 503 naming the part that is down", async () => {
    const logged = quiet();
    const broken: OnlineStore = { ...ctx.online, ping: () => Promise.reject(new Error("gone")) };
    try {
      const res = await handleHealth(new Request("http://quiver.test/api/v1/health"), async () => ({
        ...ctx,
        online: broken,
      }));
      expect(await answer(res)).toEqual({
        status: 503,
        body: {
          status: "unavailable",
          online_store: "postgres",
          checks: { postgres: "ok", online_store: "down" },
        },
      });
    } finally {
      logged.mockRestore();
    }
  });

  it("answers 503 for an unreachable Redis", async () => {
    const logged = quiet();
    const online = createRedisOnlineStore(connectRedis("redis://127.0.0.1:1"));
    try {
      const res = await handleHealth(new Request("http://quiver.test/api/v1/health"), async () => ({
        ...ctx,
        online,
      }));
      expect(await answer(res)).toMatchObject({ status: 503, body: { online_store: "redis" } });
    } finally {
      await online.close();
      logged.mockRestore();
    }
  });

  it("answers lookups and pushes with 503 naming Redis when it is unreachable", async () => {
    const online = createRedisOnlineStore(connectRedis("redis://127.0.0.1:1"));
    const down = async () => ({ ...ctx, online });
    try {
      const lookup = await handleGetOnlineFeatures(
        postJson("/get-online-features", {
          project: PROJECT,
          features: ["driver_hourly_stats:conv_rate"],
          entities: { driver_id: [1] },
        }),
        down,
      );
      const body = await answer(lookup);
      expect(body.status).toBe(503);
      expect(body.body.error).toMatch(/Redis online store unreachable at 127.0.0.1:1/);
    } finally {
      await online.close();
    }
  });

  it("answers 503 when the runtime cannot start", async () => {
    const logged = quiet();
    try {
      const res = await handleHealth(new Request("http://quiver.test/api/v1/health"), () =>
        Promise.reject(new Error("ECONNREFUSED")),
      );
      expect(await answer(res)).toEqual({
        status: 503,
        body: { error: "unavailable: the runtime cannot start" },
      });
    } finally {
      logged.mockRestore();
    }
  });
});

describe("materialize", () => {
  const materialize = (body: unknown) =>
    handleMaterialize(postJson("materialize", body), provide).then(answer);
  const incremental = (body: unknown) =>
    handleMaterializeIncremental(postJson("materialize-incremental", body), provide).then(answer);

  it("queues one run per view and answers 202 without waiting", async () => {
    const res = await materialize({
      start_ts: "2026-01-01T00:00:00Z",
      end_ts: "2026-01-02",
      feature_views: ["driver_hourly_stats"],
      project: PROJECT,
    });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      runs: [{ id: expect.any(String), feature_view: "driver_hourly_stats", status: "queued" }],
    });
    expect(jobs.runIds).toContain(res.body.runs[0].id);
  });

  it("queues every online view when none is named", async () => {
    const res = await incremental({ end_ts: "2026-01-02T00:00:00+01:00", project: PROJECT });
    expect(res.status).toBe(202);
    expect(res.body.runs.map((r: { feature_view: string }) => r.feature_view).sort()).toEqual([
      "customer_trips",
      "driver_hourly_stats",
      "driver_profile",
    ]);
  });

  it("refuses bad fields with 400, in Feast's field names", async () => {
    const base = { start_ts: "2026-01-01T00:00:00Z", end_ts: "2026-01-02T00:00:00Z", project: PROJECT };
    expect(await materialize({ ...base, start_ts: undefined })).toMatchObject({
      status: 400,
      body: { field: "start_ts" },
    });
    expect(await materialize({ ...base, start_ts: "yesterday" })).toEqual({
      status: 400,
      body: { error: 'start_ts: "yesterday" is not an ISO-8601 time', field: "start_ts" },
    });
    expect(await materialize({ ...base, end_ts: "2026-02-30" })).toMatchObject({
      status: 400,
      body: { field: "end_ts" },
    });
    expect(await materialize({ ...base, start_ts: 1700000000 })).toMatchObject({
      status: 400,
      body: { field: "start_ts" },
    });
    expect(await materialize({ ...base, start_ts: "2026-01-03T00:00:00Z" })).toMatchObject({
      status: 400,
      body: { field: "start_ts", error: expect.stringMatching(/after end_ts/) },
    });
    expect(await materialize({ ...base, feature_views: ["ghost"] })).toEqual({
      status: 400,
      body: {
        error: 'feature_views.0: feature view "ghost" not found in project "proj"',
        field: "feature_views.0",
      },
    });
    expect(await materialize({ ...base, feature_views: ["driver_archive"] })).toMatchObject({
      status: 400,
      body: { field: "feature_views.0", error: expect.stringMatching(/^feature_views\.0: .*not online/) },
    });
    expect(await materialize({ ...base, feature_views: [] })).toMatchObject({
      status: 400,
      body: { field: "feature_views" },
    });
    expect(await materialize({ ...base, project: "ghost" })).toMatchObject({
      status: 400,
      body: { field: "project" },
    });
    expect(await incremental({ project: PROJECT })).toMatchObject({ status: 400, body: { field: "end_ts" } });
    expect(await incremental({ end_ts: "soon", project: PROJECT })).toMatchObject({
      status: 400,
      body: { field: "end_ts" },
    });
  });
});

/** The route files themselves, wired to getRuntime() on the test database, called with an operator key. */
describe("app/api/v1 routes", () => {
  const saved = {
    DATABASE_URL: process.env.DATABASE_URL,
    REDIS_URL: process.env.REDIS_URL,
    REDIS_CLUSTER_NODES: process.env.REDIS_CLUSTER_NODES,
  };
  let key = "";
  const postJson = (path: string, body: unknown) => {
    const req = postJsonAnonymous(path, body);
    req.headers.set("authorization", `Bearer ${key}`);
    return req;
  };
  beforeAll(async () => {
    key = (await createApiKey({ ctx, input: { project: PROJECT, name: "routes", role: "operator" } })).key;
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

  it("serve health, lookups, pushes and materialization through the runtime", async () => {
    const health = await import("@/app/api/v1/health/route");
    // The runtime holds the registry in memory: health also says whether that cache listens, and its age.
    expect(await answer(await health.GET(new Request("http://quiver.test/api/v1/health")))).toEqual({
      status: 200,
      body: {
        status: "ok",
        online_store: "postgres",
        registry_cache: {
          listening: expect.any(Boolean),
          age_seconds: expect.toBeOneOf([null, expect.any(Number)]),
        },
      },
    });

    const now = new Date().toISOString();
    const push = await import("@/app/api/v1/push/route");
    const pushed = await push.POST(
      postJson("push", {
        push_source_name: "driver_stats_source",
        project: PROJECT,
        df: { driver_id: [77], conv: [0.25], acc_rate: [0.5], avg_daily_trips: [3], event_timestamp: [now] },
      }),
    );
    expect(pushed.status).toBe(200);

    const lookup = await import("@/app/api/v1/get-online-features/route");
    const res = await answer(
      await lookup.POST(
        postJson("get-online-features", {
          project: PROJECT,
          features: ["driver_hourly_stats:conv_rate"],
          entities: { driver_id: [77, 78] },
        }),
      ),
    );
    expect(res.status).toBe(200);
    expect(res.body.results[1]).toMatchObject({ values: [0.25, null], statuses: ["PRESENT", "NOT_FOUND"] });

    const materialize = await import("@/app/api/v1/materialize/route");
    const m = await materialize.POST(
      postJson("materialize", { project: PROJECT, start_ts: "2026-01-01", end_ts: "2026-01-02" }),
    );
    expect(m.status).toBe(202);
    const incremental = await import("@/app/api/v1/materialize-incremental/route");
    expect((await incremental.POST(postJson("materialize-incremental", { end_ts: "x" }))).status).toBe(400);
  });

  it("give the services context the request id the answer carries", async () => {
    const req = postJson("get-online-features", {});
    req.headers.set("x-request-id", "trace-42");
    expect((await restCtx(req)).log.bindings()).toEqual({ requestId: "trace-42" });
    const lookup = await import("@/app/api/v1/get-online-features/route");
    expect((await lookup.POST(req)).headers.get("x-request-id")).toBe("trace-42");
  });
});
