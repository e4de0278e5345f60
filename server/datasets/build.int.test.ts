import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { base64, type DatasetQueue, startDatasetQueue, waitForDataset } from "../../test/helpers/datasets";
import { PROJECT, seedServing } from "../../test/helpers/serving";
import type { Ctx } from "../core/context";
import { getHistoricalFeatures } from "../serving/get-historical-features";
import {
  createDataset,
  deleteDataset,
  getDataset,
  listDatasets,
  previewDataset,
  previewDraft,
  uploadEntities,
} from "./index";

/**
 * Each entity source kind end to end through the queue and the app's worker: the stored rows are
 * the historical API's rows for the same entity rows, in both storage kinds; preview null rates
 * are exact; delete drops the storage.
 */
let t: TestDb;
let ctx: Ctx;
let queue: DatasetQueue;

const TIMES = [
  "2026-01-01T06:00:00.000000Z",
  "2026-01-02T00:00:00.000000Z",
  "2026-01-03T00:00:00.000001Z",
  "2025-12-31T00:00:00.000000Z",
];

beforeAll(async () => {
  t = await createTestDb();
  queue = await startDatasetQueue(t.url, () => testCtx(t), { sliceRows: 3 });
  ctx = testCtx(t, { jobs: queue.jobs });
  await seedServing(ctx, t);
  await t.offlineSql(
    PROJECT,
    `insert into driver_stats (driver_id, conv, acc_rate, avg_daily_trips, event_timestamp, created) values
      (1, 0.10, 0.5, 10, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
      (1, 0.20, null, 20, '2026-01-02T00:00:00Z', null),
      (1, 0.21, null, 21, '2026-01-02T00:00:00Z', '2026-01-02T00:00:05Z'),
      (1, 0.30, 0.7, 30, '2026-01-03T00:00:00.000001Z', null),
      (2, 0.90, 0.9, 90, '2026-01-01T12:00:00Z', null),
      (3, null, 0.4, 9007199254740993, '2026-01-01T00:00:00Z', null);
     insert into trips values (1, 'c1', 5, '2026-01-01T00:00:00Z'), (2, 'c2', 7, '2026-01-02T00:00:00Z');`,
  );
}, 60_000);
afterAll(async () => {
  await queue?.stop();
  await t?.drop();
});

/** The API's rows for these entity rows, as row arrays in its column order. */
async function apiRows(
  entities: Record<string, unknown[]>,
  selection: { features?: string[]; service?: string; fullNames?: boolean },
) {
  const r = await getHistoricalFeatures({
    ctx,
    input: {
      project: PROJECT,
      ...(selection.features ? { features: selection.features } : { feature_service: selection.service }),
      entities,
      full_feature_names: selection.fullNames ?? false,
    },
  });
  const n = r.results[0]?.values.length ?? 0;
  return {
    columns: r.metadata.feature_names,
    rows: Array.from({ length: n }, (_, i) => r.results.map((c) => c.values[i])),
  };
}

async function offlineTables(): Promise<string[]> {
  const res = await t.offlineSql(PROJECT, "select tablename from pg_tables where schemaname = $1", [PROJECT]);
  return res.rows.map((r: { tablename: string }) => r.tablename).sort();
}

describe("saved datasets, built by the job", () => {
  const features = [
    "driver_hourly_stats:conv_rate",
    "driver_hourly_stats:acc_rate",
    "driver_hourly_stats:avg_daily_trips",
  ];

  it("an uploaded CSV, stored as a table: the API's rows, exact null rates, then deleted with its table", async () => {
    const ids = [1, 1, 2, 3, 1, 9, 2];
    const times = [TIMES[0], TIMES[1], TIMES[1], TIMES[0], TIMES[2], TIMES[1], TIMES[3]] as string[];
    const csv = `driver_id,event_timestamp\n${ids.map((id, i) => `${id},${times[i]}`).join("\n")}\n`;
    const up = await uploadEntities({
      ctx,
      input: { project: PROJECT, fileName: "rows.csv", format: "csv", contentBase64: base64(csv) },
    });
    expect(up).toMatchObject({
      fileName: "rows.csv",
      format: "csv",
      rows: 7,
      columns: ["driver_id", "event_timestamp"],
    });
    expect(up.path).toMatch(/^uploads\//);

    const entitySource = {
      kind: "upload" as const,
      path: up.path,
      format: "csv" as const,
      fileName: "rows.csv",
    };
    const draft = await previewDraft({
      ctx,
      input: { project: PROJECT, selection: { features }, entitySource },
    });
    const api = await apiRows({ driver_id: ids, event_timestamp: times }, { features });
    expect(draft.columns).toEqual(api.columns);
    expect(draft.rows).toEqual(api.rows);
    expect(draft.rowCount).toBe(7);

    const created = await createDataset({
      ctx,
      input: { project: PROJECT, name: "from_upload", selection: { features }, entitySource },
    });
    expect(created.status).toBe("queued");
    expect(created.viewVersions).toEqual({ driver_hourly_stats: 1 });
    const ready = await waitForDataset(ctx, PROJECT, "from_upload");
    expect(ready).toMatchObject({
      status: "ready",
      rowsTotal: 7,
      rowsDone: 7,
      storageKind: "table",
      error: null,
    });
    expect(ready.columns).toEqual(api.columns);
    expect(ready.sizeBytes).toBeGreaterThan(0);

    const preview = await previewDataset({ ctx, input: { project: PROJECT, name: "from_upload" } });
    expect(preview.rows).toEqual(api.rows);
    expect(preview.featureColumns).toEqual(["conv_rate", "acc_rate", "avg_daily_trips"]);
    expect(preview.rowCount).toBe(7);
    // By hand: conv_rate is null for driver 9, the row before all data and driver 3 (a null
    // value); acc_rate for rows reading the 01-02 row (null there), driver 9 and the early row.
    expect(preview.rows.map((r) => r[2])).toEqual([0.1, 0.21, 0.9, null, 0.3, null, null]);
    expect(preview.rows.map((r) => r[3])).toEqual([0.5, null, 0.9, 0.4, 0.7, null, null]);
    expect(preview.nullRates).toEqual({ conv_rate: 3 / 7, acc_rate: 3 / 7, avg_daily_trips: 2 / 7 });
    // An int64 beyond 2^53 keeps every digit.
    expect(preview.rows[3]?.[4]).toBe("9007199254740993");

    const table = ready.storageLocation?.split(".")[1] ?? "";
    expect(await offlineTables()).toContain(table);
    await deleteDataset({ ctx, input: { project: PROJECT, name: "from_upload" } });
    expect(await offlineTables()).not.toContain(table);
    expect((await listDatasets({ ctx, input: { project: PROJECT } })).items.map((d) => d.name)).not.toContain(
      "from_upload",
    );
  });

  it("a query, stored as Parquet, through a feature service: the API's rows", async () => {
    const sql = `select driver_id, event_timestamp from (values
        (1::bigint, timestamptz '2026-01-01T06:00:00Z', 1), (2, '2026-01-02T00:00:00Z', 2),
        (1, '2026-01-03T00:00:00.000001Z', 3), (4, '2026-01-02T00:00:00Z', 4), (2, '2025-12-31T00:00:00Z', 5)
      ) as v(driver_id, event_timestamp, o) order by o`;
    await createDataset({
      ctx,
      input: {
        project: PROJECT,
        name: "from_query",
        selection: { featureService: "driver_activity", fullFeatureNames: true },
        entitySource: { kind: "query", sql },
        storage: "parquet",
      },
    });
    const ready = await waitForDataset(ctx, PROJECT, "from_query");
    expect(ready).toMatchObject({
      status: "ready",
      rowsDone: 5,
      storageKind: "parquet",
      featureService: "driver_activity",
    });
    expect(ready.storageLocation).toMatch(/^datasets\/from_query-[0-9a-f]{8}\.parquet$/);
    const api = await apiRows(
      {
        driver_id: [1, 2, 1, 4, 2],
        event_timestamp: [TIMES[0], TIMES[1], TIMES[2], TIMES[1], TIMES[3]],
      },
      { service: "driver_activity", fullNames: true },
    );
    const preview = await previewDataset({ ctx, input: { project: PROJECT, name: "from_query" } });
    expect(preview.columns).toEqual(api.columns);
    expect(preview.rows).toEqual(api.rows);
    expect(ready.viewVersions).toEqual({ driver_hourly_stats: 1, driver_profile: 1 });

    const file = ctx.offline.files.resolve(PROJECT, ready.storageLocation ?? "");
    const fs = await import("node:fs");
    expect(fs.existsSync(file)).toBe(true);
    await deleteDataset({ ctx, input: { project: PROJECT, name: "from_query" } });
    expect(fs.existsSync(file)).toBe(false);
  });

  it("a grid over a two-key view: every key pair seen up to end, at each time", async () => {
    await createDataset({
      ctx,
      input: {
        project: PROJECT,
        name: "grid",
        selection: { features: ["customer_trips:trips_together"] },
        entitySource: {
          kind: "grid",
          view: "customer_trips",
          start: "2026-01-01T00:00:00Z",
          end: "2026-01-02T00:00:00Z",
          stepSeconds: 12 * 3600,
        },
      },
    });
    const ready = await waitForDataset(ctx, PROJECT, "grid");
    expect(ready).toMatchObject({ status: "ready", rowsTotal: 6, rowsDone: 6 });
    const preview = await previewDataset({ ctx, input: { project: PROJECT, name: "grid" } });
    const at = ["2026-01-01T00:00:00.000000Z", "2026-01-01T12:00:00.000000Z", "2026-01-02T00:00:00.000000Z"];
    // Written by hand: pair (1, c1) has 5 from 01-01; pair (2, c2) has 7 from 01-02.
    expect(preview.rows).toEqual([
      [1, "c1", at[0], 5],
      [1, "c1", at[1], 5],
      [1, "c1", at[2], 5],
      [2, "c2", at[0], null],
      [2, "c2", at[1], null],
      [2, "c2", at[2], 7],
    ]);
    const api = await apiRows(
      {
        driver_id: [1, 1, 1, 2, 2, 2],
        customer_id: ["c1", "c1", "c1", "c2", "c2", "c2"],
        event_timestamp: [...at, ...at],
      },
      { features: ["customer_trips:trips_together"] },
    );
    expect(preview.rows).toEqual(api.rows);
    expect(preview.nullRates).toEqual({ trips_together: 2 / 6 });
  });

  it("an uploaded Parquet file of entity rows", async () => {
    const { withDuckDb } = await import("../offline/duckdb");
    const os = await import("node:os");
    const path = await import("node:path");
    const fs = await import("node:fs");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "quiver-entities-"));
    const file = path.join(dir, "e.parquet");
    await withDuckDb({ allowedDirs: [dir], timeoutMs: 10_000 }, (conn) =>
      conn.run(
        `COPY (SELECT * FROM (VALUES (2::BIGINT, TIMESTAMPTZ '2026-01-02 00:00:00+00'), (1, TIMESTAMPTZ '2026-01-03 00:00:00.000001+00')) v(driver_id, event_timestamp)) TO '${file}' (FORMAT parquet)`,
      ),
    );
    const up = await uploadEntities({
      ctx,
      input: {
        project: PROJECT,
        fileName: "e.parquet",
        format: "parquet",
        contentBase64: base64(fs.readFileSync(file)),
      },
    });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(up).toMatchObject({ rows: 2, columns: ["driver_id", "event_timestamp"] });
    await createDataset({
      ctx,
      input: {
        project: PROJECT,
        name: "from_parquet",
        selection: { features: ["driver_hourly_stats:conv_rate"] },
        entitySource: { kind: "upload", path: up.path, format: "parquet", fileName: "e.parquet" },
      },
    });
    await waitForDataset(ctx, PROJECT, "from_parquet");
    const preview = await previewDataset({ ctx, input: { project: PROJECT, name: "from_parquet" } });
    expect(preview.rows).toEqual([
      [2, TIMES[1], 0.9],
      [1, TIMES[2], 0.3],
    ]);
    expect((await getDataset({ ctx, input: { project: PROJECT, name: "from_parquet" } })).status).toBe(
      "ready",
    );
  });
});
