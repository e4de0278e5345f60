import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisUrlOrSkip } from "../../test/db";
import {
  openServingFixture,
  postJson,
  type ServerProcess,
  type ServingFixture,
  spawnFeatureServer,
} from "../../test/helpers/feature-server";
import { driverKey, PROJECT } from "../../test/helpers/serving";
import { createApiKey } from "../auth/api-keys";
import { createOnDemandView, updateOnDemandView } from "./registry";

/**
 * The standalone feature server (a child process, with its registry cache) computes on-demand
 * features too, and sees a new version of an on-demand view once its notification arrives.
 */
const REDIS = redisUrlOrSkip();
let fx: ServingFixture;
let server: ServerProcess;
let key = "";
const HOUR_AGO = new Date(Math.floor(Date.now() / 1000) * 1000 - 3600_000);

const spec = (expression: string) => ({
  name: "driver_odv",
  inputs: ["driver_hourly_stats:conv_rate"],
  requestFields: [{ name: "boost", dtype: "float64" as const }],
  fields: [{ name: "boosted", dtype: "float64" as const, expression }],
});

beforeAll(async () => {
  if (!REDIS) return;
  fx = await openServingFixture(14);
  const { ctx } = fx;
  key = (await createApiKey({ ctx, input: { project: PROJECT, name: "consumer", role: "consumer" } })).key;
  await createOnDemandView({
    ctx,
    input: { project: PROJECT, spec: spec("driver_hourly_stats.conv_rate * request.boost") },
  });
  await ctx.online.write(PROJECT, "driver_hourly_stats", [
    { entityKey: driverKey(1001), values: { conv_rate: 0.25, acc_rate: 0.5 }, eventTs: HOUR_AGO },
  ]);
  server = await spawnFeatureServer({ env: fx.serverEnv() });
}, 120_000);

afterAll(async () => {
  if (server) await server.stop();
  await fx?.close();
}, 60_000);

const lookup = () =>
  postJson(
    `${server.url}/get-online-features`,
    {
      project: PROJECT,
      features: ["driver_hourly_stats:acc_rate", "driver_odv:boosted"],
      entities: { driver_id: [1001, 1002] },
      request_context: { boost: [4, 4] },
    },
    { authorization: `Bearer ${key}` },
  );

describe.skipIf(!REDIS)("on-demand features on the feature server", () => {
  it("computes them per row, with reasons for the rows that fail", async () => {
    const res = await lookup();
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      metadata: {
        feature_names: ["driver_id", "acc_rate", "boosted"],
        reasons: { boosted: [null, "driver_hourly_stats.conv_rate is null"] },
      },
      results: [
        { values: [1001, 1002] },
        { values: [0.5, null], statuses: ["PRESENT", "NOT_FOUND"] },
        { values: [1, null], statuses: ["PRESENT", "NULL_VALUE"] },
      ],
    });
  });

  it("refuses a bad request_context with a 400 naming the field", async () => {
    const res = await postJson(
      `${server.url}/get-online-features`,
      {
        project: PROJECT,
        features: ["driver_odv:boosted"],
        entities: { driver_id: [1001] },
        request_context: { boost: ["x"] },
      },
      { authorization: `Bearer ${key}` },
    );
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.json)).toMatch(/request_context\.boost\[0\]/);
  });

  it("computes a new version once the registry says so", async () => {
    await updateOnDemandView({
      ctx: fx.ctx,
      input: {
        project: PROJECT,
        baseVersion: 1,
        spec: spec("driver_hourly_stats.conv_rate * request.boost * 2.0"),
      },
    });
    // The server's cache is emptied by the registry notification: poll its answer, not a clock.
    let value: unknown;
    for (let i = 0; i < 200 && value !== 2; i++) {
      const res = await lookup();
      value = (res.json as { results: { values: unknown[] }[] }).results[2]?.values[0];
    }
    expect(value).toBe(2);
  });
});
