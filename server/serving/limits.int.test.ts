import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { driverKey, PROJECT, postJson, seedServing } from "../../test/helpers/serving";
import type { Ctx } from "../core/context";
import { resetEnvCache } from "../env";
import { handleGetOnlineFeatures } from "../web/http-handlers";
import { servingLimits } from "./get-online-features";

/**
 * The lookup's caps and deadline, through the REST door: over a cap is a 400 naming the cap and
 * the setting that moves it; past the deadline a 503 with Retry-After, and the next lookup works.
 */

let t: TestDb;
let ctx: Ctx;
const provide = () => Promise.resolve(ctx);
const SETTINGS = ["QUIVER_SERVING_MAX_ENTITIES", "QUIVER_SERVING_MAX_VALUES", "QUIVER_SERVING_DEADLINE_MS"];

function setting(name: string, value: string) {
  process.env[name] = value;
  resetEnvCache();
}

async function lookup(driverIds: number[], features = ["driver_hourly_stats:conv_rate"]) {
  const res = await handleGetOnlineFeatures(
    postJson("get-online-features", { project: PROJECT, features, entities: { driver_id: driverIds } }),
    provide,
  );
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t, { actor: { kind: "local", name: "test" } });
  await seedServing(ctx, t);
  await ctx.online.write(PROJECT, "driver_hourly_stats", [
    { entityKey: driverKey(1), values: { conv_rate: 0.25, acc_rate: 1 }, eventTs: new Date() },
  ]);
}, 60_000);
afterEach(() => {
  for (const name of SETTINGS) delete process.env[name];
  resetEnvCache();
});
afterAll(() => t?.drop());

describe("online lookup limits", () => {
  it("defaults to 1,000 entities and 100,000 values per request, with a 2 s deadline", () => {
    expect(servingLimits()).toEqual({ maxEntities: 1000, maxValues: 100_000, deadlineMs: 2000 });
  });

  it("refuses more entity rows than QUIVER_SERVING_MAX_ENTITIES, naming it", async () => {
    setting("QUIVER_SERVING_MAX_ENTITIES", "2");
    expect((await lookup([1, 2])).status).toBe(200);
    expect(await lookup([1, 2, 3])).toMatchObject({
      status: 400,
      body: { error: "batch too large: 3 rows, limit 2 (QUIVER_SERVING_MAX_ENTITIES)", field: "entities" },
    });
  });

  it("refuses more rows x features than QUIVER_SERVING_MAX_VALUES, naming it", async () => {
    setting("QUIVER_SERVING_MAX_VALUES", "4");
    const two = ["driver_hourly_stats:conv_rate", "driver_hourly_stats:acc_rate"];
    expect((await lookup([1, 2], two)).status).toBe(200);
    expect(await lookup([1, 2, 3], two)).toMatchObject({
      status: 400,
      body: {
        error: "batch too large: 3 rows x 2 features, limit 4 values (QUIVER_SERVING_MAX_VALUES)",
        field: "entities",
      },
    });
  });

  it("answers 503 with Retry-After when the store does not answer by the deadline, then recovers", async () => {
    setting("QUIVER_SERVING_DEADLINE_MS", "300");
    // A real stall: another session holds the online table locked, so the store's read waits.
    const locker = await t.pool.connect();
    try {
      await locker.query("begin");
      await locker.query("lock table online_values in access exclusive mode");
      const started = Date.now();
      const res = await lookup([1]);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(res.status).toBe(503);
      expect(res.body.error).toBe("the lookup missed its deadline of 300 ms (QUIVER_SERVING_DEADLINE_MS)");
      expect(res.headers.get("retry-after")).toBe("1");
    } finally {
      await locker.query("rollback").catch(() => {});
      locker.release();
    }
    const after = await lookup([1]);
    expect(after.status).toBe(200);
    expect((after.body.results as { values: unknown[] }[])[1]?.values).toEqual([0.25]);
  });
});
