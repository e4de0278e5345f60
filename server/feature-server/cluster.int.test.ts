import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisUrlOrSkip } from "../../test/db";
import {
  type LogLine,
  openServingFixture,
  postJson,
  request,
  type ServerProcess,
  type ServingFixture,
  sample,
  spawnFeatureServer,
} from "../../test/helpers/feature-server";
import { driverKey, PROJECT } from "../../test/helpers/serving";
import { createApiKey } from "../auth/api-keys";

/** Without REDIS_URL these run nowhere (under CI=true its absence is a failure). */
const REDIS = redisUrlOrSkip();

/**
 * `quiver serve --workers 2`: two processes share the port, a scrape of /metrics sees both (summed
 * by the primary), a worker that dies comes back, and SIGTERM lets an answer in progress finish
 * before everything exits 0. Metrics here need QUIVER_METRICS_TOKEN.
 */

const TOKEN = "metrics-token-for-the-cluster-test";

let fx: ServingFixture;
let server: ServerProcess;
let key = "";

beforeAll(async () => {
  if (!REDIS) return;
  fx = await openServingFixture(12);
  const { ctx } = fx;
  key = (await createApiKey({ ctx, input: { project: PROJECT, name: "consumer", role: "consumer" } })).key;
  await ctx.online.write(PROJECT, "driver_hourly_stats", [
    {
      entityKey: driverKey(7),
      values: { conv_rate: 0.5, acc_rate: 0.25, avg_daily_trips: 3 },
      eventTs: new Date(),
    },
  ]);
  server = await spawnFeatureServer({
    args: ["--workers", "2"],
    env: fx.serverEnv({ QUIVER_METRICS_TOKEN: TOKEN }),
  });
}, 180_000);

afterAll(async () => {
  if (server) {
    server.child.kill("SIGKILL");
    for (const pid of workerPids(server.lines)) killQuietly(pid);
  }
  await fx?.close();
}, 60_000);

const LOOKUP = {
  project: PROJECT,
  features: ["driver_hourly_stats:conv_rate"],
  entities: { driver_id: [7] },
};
const lookup = () =>
  postJson(`${server.url}/api/v1/get-online-features`, LOOKUP, { authorization: `Bearer ${key}` });
const scrape = (headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) =>
  request(`${server.url}/metrics`, { headers });
const LOOKUPS = { route: "/api/v1/get-online-features", method: "POST", status: "200" };

function workerPids(lines: LogLine[]): number[] {
  return [...new Set(lines.filter((l) => l.msg === "feature server worker ready").map((l) => l.pid))];
}

function killQuietly(pid: number, signal: NodeJS.Signals = "SIGKILL"): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone already
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!REDIS)("quiver serve --workers 2", () => {
  it("starts two workers behind one port and logs one listening line", () => {
    expect(workerPids(server.lines)).toHaveLength(2);
    expect(server.lines.filter((l) => l.msg.startsWith("listening on "))).toHaveLength(1);
    expect(workerPids(server.lines)).not.toContain(server.child.pid);
  });

  it("answers lookups on every connection, and a scrape sees the requests of both workers", async () => {
    const before = sample((await scrape()).text, "quiver_http_request_duration_seconds_count", LOOKUPS);
    // Each on a connection of its own: the primary hands connections to the workers in turn.
    const answers = await Promise.all(Array.from({ length: 6 }, () => lookup()));
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect((a.json as { results: { values: unknown[] }[] }).results[1]?.values).toEqual([0.5]);
    }
    // One worker alone counted about half: the sum shows the primary collected both.
    const after = sample((await scrape()).text, "quiver_http_request_duration_seconds_count", LOOKUPS);
    expect(after - before).toBe(6);
  });

  it("opens /metrics only to the token, even on loopback", async () => {
    const refused = await scrape({});
    expect(refused.status).toBe(401);
    expect(refused.json).toEqual({ error: "metrics need `Authorization: Bearer <QUIVER_METRICS_TOKEN>`" });
    expect((await scrape({ authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
    expect((await scrape({ authorization: `Bearer ${key}` })).status).toBe(401);
    const ok = await scrape();
    expect(ok.status).toBe(200);
    expect(ok.text).toMatch(/^# HELP /m);
  });

  it("restarts a worker that dies, with a logged backoff, and keeps answering", async () => {
    const [victim] = workerPids(server.lines);
    if (victim === undefined) throw new Error("no worker pid logged");
    const from = server.lines.length;
    process.kill(victim, "SIGKILL");
    const died = await server.waitForLine(
      (l) => l.msg === "feature server worker died: restarting it",
      30_000,
      from,
    );
    expect(died).toMatchObject({ level: "warn", workerPid: victim, signal: "SIGKILL", restartInMs: 500 });
    await server.waitForLine((l) => l.msg === "feature server worker restarted", 90_000, from);
    const pids = workerPids(server.lines.slice(from));
    expect(pids).toHaveLength(1);
    expect(pids).not.toContain(victim);
    const answers = await Promise.all(Array.from({ length: 4 }, () => lookup()));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(sample((await scrape()).text, "quiver_feature_server_worker_restarts_total")).toBe(1);
  }, 120_000);

  it("on SIGTERM finishes the answer in progress, then every process exits 0", async () => {
    const pids = workerPids(server.lines).filter(alive);
    expect(pids).toHaveLength(2);
    const body = JSON.stringify(LOOKUP);
    // A request the server has begun (it said 100 Continue) but whose body is not sent yet.
    const req = http.request({
      host: "127.0.0.1",
      port: server.port,
      path: "/api/v1/get-online-features",
      method: "POST",
      agent: false,
      headers: {
        authorization: `Bearer ${key}`,
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
        expect: "100-continue",
      },
    });
    const answer = new Promise<{ status: number; connection?: string; text: string }>((resolve, reject) => {
      req.on("response", (res) => {
        let text = "";
        res.on("data", (c: Buffer) => {
          text += c.toString();
        });
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, text }),
        );
      });
      req.on("error", reject);
    });
    await new Promise<void>((resolve) => req.once("continue", () => resolve()));
    const from = server.lines.length;
    server.child.kill("SIGTERM");
    // Both workers are stopping before the body arrives.
    for (const pid of pids)
      await server.waitForLine((l) => l.msg === "feature server stopping" && l.pid === pid, 30_000, from);
    req.end(body);
    const res = await answer;
    expect(res.status).toBe(200);
    expect(res.connection).toBe("close");
    expect(JSON.parse(res.text).results[1].values).toEqual([0.5]);
    expect(await server.exited).toEqual({ code: 0, signal: null });
    for (const pid of pids) expect(alive(pid)).toBe(false);
    // Nothing listens any more.
    await expect(request(`${server.url}/api/v1/health`)).rejects.toThrow(/ECONNREFUSED/);
  }, 60_000);
});
