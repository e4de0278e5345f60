import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { recordingJobs } from "../../test/helpers/materialization";
import { PROJECT, postJson, seedServing } from "../../test/helpers/serving";
import type { Ctx } from "../core/context";
import { InvalidError } from "../core/errors";
import { handleGetOnlineFeatures, handleMaterialize, handlePush } from "../web/http-handlers";
import { getOnlineFeatures } from "./get-online-features";
import { push } from "./push";

/**
 * A `\u0000` in a REST body's string (a value or a key) is a 400 naming the field, never a 500
 * from Postgres, and the services refuse it the same way when called without the REST reader.
 */
let t: TestDb;
let ctx: Ctx;
const provide = () => Promise.resolve(ctx);

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t, { jobs: recordingJobs() });
  await seedServing(ctx, t);
});
afterAll(() => t.drop());

const T1 = "2026-01-31T23:00:00Z";
const NUL_MESSAGE = "must not contain the NUL character (\\u0000)";

async function answer(res: Response) {
  return { status: res.status, body: (await res.json()) as unknown };
}

/** A valid trips_source push (customer_id is a string join key) with `over` merged into df. */
function tripsPush(
  over: Record<string, unknown[]> = {},
  to: "online" | "online_and_offline" = "online_and_offline",
) {
  return {
    project: PROJECT,
    push_source_name: "trips_source",
    to,
    df: {
      driver_id: [1],
      customer_id: ["c1"],
      trips_together: [3],
      event_timestamp: [T1],
      ...over,
    },
  };
}

describe("a NUL character in a REST body", () => {
  it("get-online-features: 400 naming the entity value, key or feature", async () => {
    const lookup = (over: Record<string, unknown>) =>
      handleGetOnlineFeatures(
        postJson("get-online-features", {
          project: PROJECT,
          features: ["customer_trips:trips_together"],
          entities: { driver_id: [1], customer_id: ["c1"] },
          ...over,
        }),
        provide,
      );
    // the valid body is answered, so each refusal below is the NUL's
    expect((await lookup({})).status).toBe(200);
    expect(await answer(await lookup({ entities: { driver_id: [1], customer_id: ["c\u00001"] } }))).toEqual({
      status: 400,
      body: { error: `entities.customer_id.0: ${NUL_MESSAGE}`, field: "entities.customer_id.0" },
    });
    expect(await answer(await lookup({ entities: { driver_id: [1], "customer_id\u0000": ["c1"] } }))).toEqual(
      {
        status: 400,
        body: { error: `entities: key "customer_id\\u0000" ${NUL_MESSAGE}`, field: "entities" },
      },
    );
    expect(await answer(await lookup({ features: ["customer_trips:trips\u0000"] }))).toEqual({
      status: 400,
      body: { error: `features.0: ${NUL_MESSAGE}`, field: "features.0" },
    });
  });

  it("push: 400 naming the df value or column, and nothing is written", async () => {
    const send = (body: unknown) => handlePush(postJson("push", body), provide);
    expect((await send(tripsPush({ customer_id: ["ok"] }))).status).toBe(200);
    expect(await answer(await send(tripsPush({ customer_id: ["c\u00002"] })))).toEqual({
      status: 400,
      body: { error: `df.customer_id.0: ${NUL_MESSAGE}`, field: "df.customer_id.0" },
    });
    expect(await answer(await send(tripsPush({ "note\u0000": ["x"] })))).toEqual({
      status: 400,
      body: { error: `df: key "note\\u0000" ${NUL_MESSAGE}`, field: "df" },
    });
    const { rows } = await t.offlineAdmin.query("select customer_id from proj.trips order by customer_id");
    expect(rows).toEqual([{ customer_id: "ok" }]);
  });

  it("materialize: 400 naming the Feast field", async () => {
    const res = await handleMaterialize(
      postJson("materialize", {
        project: PROJECT,
        feature_views: ["driver_hourly_stats\u0000"],
        start_ts: "2026-01-01T00:00:00Z",
        end_ts: "2026-01-02T00:00:00Z",
      }),
      provide,
    );
    expect(await answer(res)).toEqual({
      status: 400,
      body: { error: `feature_views.0: ${NUL_MESSAGE}`, field: "feature_views.0" },
    });
  });
});

describe("a NUL character given to the serving services directly", () => {
  it("is an InvalidError naming the field", async () => {
    const lookup = getOnlineFeatures({
      ctx,
      input: {
        project: PROJECT,
        features: ["customer_trips:trips_together"],
        entities: { customer_id: ["\u0000"] },
      },
    });
    await expect(lookup).rejects.toThrow(InvalidError);
    await expect(lookup).rejects.toMatchObject({ field: "entities.customer_id.0" });
    await expect(
      push({ ctx, input: tripsPush({ customer_id: ["x\u0000"] }, "online") }),
    ).rejects.toMatchObject({
      code: "INVALID",
      field: "df.customer_id.0",
    });
  });
});
