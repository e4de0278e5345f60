import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { type DatasetQueue, startDatasetQueue, waitForDataset } from "../../test/helpers/datasets";
import { PROJECT, seedServing } from "../../test/helpers/serving";
import type { Ctx } from "../core/context";
import { createDataset, previewDataset } from "../datasets";
import { getHistoricalFeatures } from "../serving/get-historical-features";
import { createOnDemandView } from "./registry";

/**
 * A saved dataset computes on-demand features over its joined rows as get-historical-features
 * does; one whose on-demand view needs request fields is refused (its entity rows carry none).
 */
let t: TestDb;
let ctx: Ctx;
let queue: DatasetQueue;

beforeAll(async () => {
  t = await createTestDb();
  queue = await startDatasetQueue(t.url, () => testCtx(t), { sliceRows: 2 });
  ctx = testCtx(t, { jobs: queue.jobs });
  await seedServing(ctx, t);
  await t.offlineSql(
    PROJECT,
    `insert into driver_stats (driver_id, conv, acc_rate, avg_daily_trips, event_timestamp) values
      (1, 0.25, 0.5, 10, '2026-01-01T00:00:00Z'), (2, null, 0.9, 90, '2026-01-01T00:00:00Z'),
      (3, 0.5, 0.1, 0, '2026-01-01T00:00:00Z');`,
  );
  await createOnDemandView({
    ctx,
    input: {
      project: PROJECT,
      spec: {
        name: "driver_odv",
        inputs: ["driver_hourly_stats:conv_rate", "driver_hourly_stats:avg_daily_trips"],
        fields: [
          {
            name: "per_trip",
            dtype: "float64",
            expression: "driver_hourly_stats.conv_rate / double(driver_hourly_stats.avg_daily_trips)",
          },
          { name: "busy", dtype: "bool", expression: "driver_hourly_stats.avg_daily_trips > 20" },
        ],
      },
    },
  });
  await createOnDemandView({
    ctx,
    input: {
      project: PROJECT,
      spec: {
        name: "needs_request",
        inputs: ["driver_hourly_stats:conv_rate"],
        requestFields: [{ name: "boost", dtype: "float64" }],
        fields: [
          { name: "boosted", dtype: "float64", expression: "driver_hourly_stats.conv_rate * request.boost" },
        ],
      },
    },
  });
}, 60_000);
afterAll(async () => {
  await queue?.stop();
  await t?.drop();
});

describe("saved datasets with on-demand features", () => {
  it("store the rows get-historical-features gives", async () => {
    const features = ["driver_odv:per_trip", "driver_hourly_stats:acc_rate", "driver_odv:busy"];
    const sql = `select driver_id, event_timestamp from (values
        (1::bigint, timestamptz '2026-01-02T00:00:00Z', 1), (2, '2026-01-02T00:00:00Z', 2),
        (3, '2026-01-02T00:00:00Z', 3), (4, '2026-01-02T00:00:00Z', 4)) as v(driver_id, event_timestamp, o) order by o`;
    await createDataset({
      ctx,
      input: {
        project: PROJECT,
        name: "odv_set",
        selection: { features },
        entitySource: { kind: "query", sql },
      },
    });
    expect(await waitForDataset(ctx, PROJECT, "odv_set")).toMatchObject({ status: "ready", rowsDone: 4 });
    const preview = await previewDataset({ ctx, input: { project: PROJECT, name: "odv_set" } });
    expect(preview.columns).toEqual(["driver_id", "event_timestamp", "per_trip", "acc_rate", "busy"]);
    // By hand: 0.25 / 10; driver 2's conv_rate is null; 0.5 / 0 is not finite; driver 4 has no row.
    expect(preview.rows.map((r) => r.slice(2))).toEqual([
      [0.025, 0.5, false],
      [null, 0.9, true],
      [null, 0.1, false],
      [null, null, null],
    ]);
    const api = await getHistoricalFeatures({
      ctx,
      input: {
        project: PROJECT,
        features,
        entities: { driver_id: [1, 2, 3, 4], event_timestamp: new Array(4).fill("2026-01-02T00:00:00Z") },
      },
    });
    expect(preview.rows.map((r) => r.slice(2))).toEqual(
      [0, 1, 2, 3].map((i) => api.results.slice(2).map((c) => c.values[i])),
    );
  });

  it("refuse an on-demand view that needs request fields, naming it", async () => {
    await expect(
      createDataset({
        ctx,
        input: {
          project: PROJECT,
          name: "odv_refused",
          selection: { features: ["needs_request:boosted"] },
          entitySource: { kind: "query", sql: "select 1::bigint as driver_id, now() as event_timestamp" },
        },
      }),
    ).rejects.toMatchObject({
      code: "INVALID",
      message: expect.stringMatching(/"needs_request" needs request fields \(boost\)/),
    });
  });
});
