import http from "node:http";
import type { AddressInfo } from "node:net";
import { and, eq } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { sample } from "../../test/helpers/feature-server";
import { driverKey, PROJECT, postJson, seedServing } from "../../test/helpers/serving";
import { createApiKey } from "../auth/api-keys";
import { CLIENT_IP_HEADER, trustedProxies } from "../auth/client-ip";
import { createRateLimiter } from "../auth/rate-limit";
import { actorFromRequestHeaders } from "../auth/request-actor";
import type { Ctx } from "../core/context";
import { rootLogger } from "../core/log";
import { featureViews, projects } from "../db/schema";
import { resetEnvCache } from "../env";
import { connectRedis, createRedisOnlineStore } from "../online/redis-store";
import { createEntity } from "../registry";
import { createRegistryCache } from "../registry-cache/cache";
import { requestListener } from "../web/app-server";
import { handleGetOnlineFeatures, handleMetrics } from "../web/http-handlers";
import {
  instrumentOnlineStore,
  metricsUsageSink,
  recordMaterializedRows,
  recordServed,
  scrapeMetrics,
  VIA_PROXY_HEADER,
  watchRegistryCache,
} from ".";
import { MAX_SERIES, OTHER } from "./registry";

/**
 * The process's metrics after real work: lookups through the app's door on a real online store,
 * a store that cannot be reached, a real registry cache, the recorders other modules call; and who
 * may read them, through the app's own HTTP listener on a real socket.
 */

let t: TestDb;
let base: Ctx;
let keys: { consumer: { key: string; id: string }; viewer: string };
let projectId = "";
let viewId = "";

beforeAll(async () => {
  t = await createTestDb();
  base = testCtx(t);
  await seedServing(base, t);
  const consumer = await createApiKey({
    ctx: base,
    input: { project: PROJECT, name: "c", role: "consumer" },
  });
  const viewer = await createApiKey({ ctx: base, input: { project: PROJECT, name: "v", role: "viewer" } });
  keys = { consumer: { key: consumer.key, id: consumer.apiKey.id }, viewer: viewer.key };
  await base.online.write(PROJECT, "driver_hourly_stats", [
    {
      entityKey: driverKey(1),
      values: { conv_rate: 0.5, acc_rate: 0.5, avg_daily_trips: 1 },
      eventTs: new Date(),
    },
  ]);
  const [view] = await t.db
    .select({ id: featureViews.id, projectId: projects.id })
    .from(featureViews)
    .innerJoin(projects, eq(projects.id, featureViews.projectId))
    .where(and(eq(projects.name, PROJECT), eq(featureViews.name, "driver_hourly_stats")));
  if (!view) throw new Error("the seeded view is missing");
  projectId = view.projectId;
  viewId = view.id;
});
afterAll(() => t.drop());

const text = async () => (await scrapeMetrics()).text;
const roomy = createRateLimiter({ rate: 1000, burst: 1000 });

/** A lookup through the app's REST door, as the key's caller, on `ctx`'s stores and sink. */
function lookup(ctx: Ctx, key: string) {
  const req = postJson("get-online-features", {
    project: PROJECT,
    features: ["driver_hourly_stats:conv_rate"],
    entities: { driver_id: [1, 2] },
  });
  req.headers.set("authorization", `Bearer ${key}`);
  return handleGetOnlineFeatures(req, async (r) => ({
    ...ctx,
    actor: r
      ? await actorFromRequestHeaders(r, t.db, async () => ({ kind: "anonymous" }), roomy)
      : { kind: "anonymous" },
  }));
}

describe("metrics after real work", () => {
  it("time the online store and count lookups per route, view and key; refused lookups read nothing", async () => {
    const ctx: Ctx = { ...base, online: instrumentOnlineStore(base.online), usage: metricsUsageSink() };
    const before = await text();
    expect((await lookup(ctx, keys.consumer.key)).status).toBe(200);
    expect((await lookup(ctx, keys.consumer.key)).status).toBe(200);
    expect((await lookup(ctx, keys.viewer)).status).toBe(403);
    const after = await text();
    const delta = (name: string, labels: Record<string, string>) =>
      sample(after, name, labels) - sample(before, name, labels);
    const route = { route: "/api/v1/get-online-features", method: "POST" };
    expect(delta("quiver_http_request_duration_seconds_count", { ...route, status: "200" })).toBe(2);
    expect(delta("quiver_http_request_duration_seconds_count", { ...route, status: "403" })).toBe(1);
    expect(delta("quiver_online_store_seconds_count", { op: "read", store: "postgres" })).toBe(2);
    // The sink labels with names once the lookup hands them over, with ids until then.
    const viewReads =
      delta("quiver_feature_view_reads_total", { project: PROJECT, view: "driver_hourly_stats" }) +
      delta("quiver_feature_view_reads_total", { project: projectId, view: viewId });
    expect(viewReads).toBe(2);
    const keyReads =
      delta("quiver_api_key_reads_total", { project: PROJECT, key: keys.consumer.id }) +
      delta("quiver_api_key_reads_total", { project: projectId, key: keys.consumer.id });
    expect(keyReads).toBe(2);
    // Neither the key's secret nor its prefix ever becomes a label.
    expect(after).not.toContain(keys.consumer.key.slice(0, 12));
  });

  it("count a store's failures and time them too", async () => {
    const down = instrumentOnlineStore(createRedisOnlineStore(connectRedis("redis://127.0.0.1:1")));
    try {
      const before = await text();
      await expect(down.read(PROJECT, [{ featureView: "v", features: ["f"] }], ["k"])).rejects.toThrow(
        /Redis online store unreachable/,
      );
      await expect(
        down.write(PROJECT, "v", [{ entityKey: "k", values: { f: 1 }, eventTs: new Date() }]),
      ).rejects.toThrow(/Redis online store unreachable/);
      const after = await text();
      for (const op of ["read", "write"]) {
        const labels = { op, store: "redis" };
        expect(
          sample(after, "quiver_online_store_errors_total", labels) -
            sample(before, "quiver_online_store_errors_total", labels),
        ).toBe(1);
        expect(
          sample(after, "quiver_online_store_seconds_count", labels) -
            sample(before, "quiver_online_store_seconds_count", labels),
        ).toBe(1);
      }
      // The wrapper is the store otherwise.
      expect(down.kind).toBe("redis");
      await expect(down.ping()).rejects.toThrow(/unreachable/);
    } finally {
      await down.close();
    }
  });

  it("count served values and materialized rows, and bound the series a metric holds", async () => {
    recordServed("served-project", 10, 200);
    recordServed("served-project", 5, 100);
    recordMaterializedRows("m-project", "m-view", 1234);
    let after = await text();
    expect(sample(after, "quiver_served_entities_total", { project: "served-project" })).toBe(15);
    expect(sample(after, "quiver_served_values_total", { project: "served-project" })).toBe(300);
    expect(sample(after, "quiver_materialized_rows_total", { project: "m-project", view: "m-view" })).toBe(
      1234,
    );
    // Past MAX_SERIES label sets, new ones are counted under "_other"; known ones keep theirs.
    for (let i = 0; i < MAX_SERIES + 5; i++) recordMaterializedRows("m-project", `view-${i}`, 1);
    recordMaterializedRows("m-project", "m-view", 1);
    after = await text();
    const series = after.split("\n").filter((l) => l.startsWith("quiver_materialized_rows_total{"));
    expect(series).toHaveLength(MAX_SERIES + 1);
    expect(sample(after, "quiver_materialized_rows_total", { project: OTHER, view: OTHER })).toBe(6);
    expect(sample(after, "quiver_materialized_rows_total", { project: "m-project", view: "m-view" })).toBe(
      1235,
    );
  });

  it("report the registry cache's invalidations, age and listening from the cache itself", async () => {
    const cache = createRegistryCache({
      db: t.db,
      log: rootLogger(),
      connect: async () => {
        const c = new pg.Client({ connectionString: t.url });
        c.on("error", () => {});
        await c.connect();
        return c;
      },
    });
    try {
      watchRegistryCache(cache);
      watchRegistryCache(cache); // the same cache again counts nothing twice
      await cache.project(PROJECT); // first use starts listening
      await until(() => cache.state().listening);
      const before = sample(await text(), "quiver_registry_cache_invalidations_total");
      await createEntity({
        ctx: base,
        input: { project: PROJECT, name: "metrics_e", joinKey: "e_id", valueType: "string" },
      });
      await until(() => cache.state().invalidations >= 1);
      const after = await text();
      expect(sample(after, "quiver_registry_cache_invalidations_total") - before).toBe(
        cache.state().invalidations,
      );
      expect(sample(after, "quiver_registry_cache_listening")).toBe(1);
      expect(sample(after, "quiver_registry_cache_age_seconds")).toBeGreaterThanOrEqual(0);
    } finally {
      await cache.close();
    }
  });
});

describe("who may read the app's /metrics", () => {
  /** The app's own listener (client address, proxy mark) in front of the /metrics handler, on a real socket. */
  async function appServer(proxies: string[] = []) {
    const server = http.createServer(
      requestListener(async (req, res) => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(req.headers))
          if (typeof value === "string") headers.set(name, value);
        const answer = await handleMetrics(new Request(`http://localhost${req.url}`, { headers }));
        res.writeHead(answer.status, Object.fromEntries(answer.headers));
        res.end(Buffer.from(await answer.arrayBuffer()));
      }, trustedProxies(proxies)),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    return {
      get: (headers: Record<string, string> = {}) =>
        fetch(`http://127.0.0.1:${port}/metrics`, { headers }).then(async (r) => ({
          status: r.status,
          text: await r.text(),
        })),
      close: () => new Promise((resolve) => server.close(resolve)),
    };
  }

  it("serves a loopback client, and refuses the attack of a proxy on the same machine", async () => {
    const app = await appServer();
    try {
      const direct = await app.get();
      expect(direct.status).toBe(200);
      expect(direct.text).toMatch(/^quiver_http_request_duration_seconds_count\{/m);
      // A reverse proxy on 127.0.0.1 forwarding an internet client: the socket is loopback, the
      // client is not. Next adds X-Forwarded-For to every request itself, so only Quiver's listener
      // can tell; a client cannot undo its mark, nor claim an address.
      const attacks: Record<string, string>[] = [
        { "x-forwarded-for": "203.0.113.7" },
        { forwarded: "for=203.0.113.7" },
        { "x-real-ip": "203.0.113.7" },
        { "x-forwarded-for": "203.0.113.7", [CLIENT_IP_HEADER]: "127.0.0.1" },
      ];
      for (const headers of attacks) {
        const res = await app.get(headers);
        expect(res.status).toBe(403);
        expect(res.text).not.toMatch(/quiver_/);
      }
    } finally {
      await app.close();
    }
    // Even when the proxy is trusted and the forwarded client claims to be local.
    const proxied = await appServer(["127.0.0.1"]);
    try {
      expect((await proxied.get({ "x-forwarded-for": "127.0.0.1" })).status).toBe(403);
    } finally {
      await proxied.close();
    }
  });

  it("refuses other clients without a token, and takes only the token once one is set", async () => {
    const call = (headers: Record<string, string>) =>
      handleMetrics(new Request("http://quiver.test/metrics", { headers })).then((r) => r.status);
    expect(await call({ [CLIENT_IP_HEADER]: "10.0.0.9" })).toBe(403);
    expect(await call({ [CLIENT_IP_HEADER]: "127.0.0.1", [VIA_PROXY_HEADER]: "1" })).toBe(403);
    expect(await call({})).toBe(403);
    expect(await call({ [CLIENT_IP_HEADER]: "::1" })).toBe(200);
    expect(await call({ [CLIENT_IP_HEADER]: "::ffff:127.0.0.1" })).toBe(200);
    process.env.QUIVER_METRICS_TOKEN = "a-token-of-at-least-16";
    resetEnvCache();
    try {
      expect(await call({ [CLIENT_IP_HEADER]: "127.0.0.1" })).toBe(401);
      expect(
        await call({ [CLIENT_IP_HEADER]: "127.0.0.1", authorization: "Bearer a-token-of-at-least-17" }),
      ).toBe(401);
      expect(
        await call({ [CLIENT_IP_HEADER]: "10.0.0.9", authorization: "Bearer a-token-of-at-least-16" }),
      ).toBe(200);
      expect(await call({ authorization: "bearer a-token-of-at-least-16", [VIA_PROXY_HEADER]: "1" })).toBe(
        200,
      );
    } finally {
      delete process.env.QUIVER_METRICS_TOKEN;
      resetEnvCache();
    }
  });
});

/** Waits for a condition the code reports (not a fixed sleep). */
async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}
