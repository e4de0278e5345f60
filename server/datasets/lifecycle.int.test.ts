import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { base64, type DatasetQueue, startDatasetQueue, waitForDataset } from "../../test/helpers/datasets";
import { recordingJobs } from "../../test/helpers/materialization";
import { PROJECT, postJson, seedServing } from "../../test/helpers/serving";
import type { Ctx } from "../core/context";
import { datasets } from "../db/schema";
import { withDuckDb } from "../offline/duckdb";
import { handleDownloadDataset, handleGetHistoricalFeatures } from "../web/http-handlers";
import { buildDataset } from "./build";
import { cancelDataset, createDataset, getDataset, previewDataset, uploadEntities } from "./index";
import { sweepDatasets } from "./worker";

/**
 * A dataset's life beyond the happy path: cancelled mid-build (it stops within a slice and its
 * table goes), a failing build (a safe error, no partial rows), a build whose worker died (the
 * sweeper fails it and removes its rows), a job delivered twice (built once), and downloads over
 * REST (a GET's input from the query string) equal to the API's CSV.
 */
let t: TestDb;
let ctx: Ctx;
let queue: DatasetQueue;
const SLICE = 100;

beforeAll(async () => {
  t = await createTestDb();
  queue = await startDatasetQueue(t.url, () => testCtx(t), { sliceRows: SLICE });
  ctx = testCtx(t, { jobs: queue.jobs });
  await seedServing(ctx, t);
  // 300 drivers with a row each day of January.
  await t.offlineSql(
    PROJECT,
    `insert into driver_stats (driver_id, conv, acc_rate, avg_daily_trips, event_timestamp)
     select d, d / 1000.0, null, d * 10, timestamptz '2026-01-01' + (day - 1) * interval '1 day'
     from generate_series(1, 300) d, generate_series(1, 31) day`,
  );
}, 60_000);
afterAll(async () => {
  await queue?.stop();
  await t?.drop();
});

async function tables(): Promise<string[]> {
  const res = await t.offlineSql(PROJECT, "select tablename from pg_tables where schemaname = $1", [PROJECT]);
  return res.rows.map((r: { tablename: string }) => r.tablename);
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const FEATURES = { features: ["driver_hourly_stats:conv_rate", "driver_hourly_stats:avg_daily_trips"] };

describe("dataset builds", () => {
  it("a cancelled build stops at its next slice and drops its partial table", async () => {
    // 300 drivers x 745 hourly times: 223,500 rows in slices of 100, far more than the test waits for.
    await createDataset({
      ctx,
      input: {
        project: PROJECT,
        name: "big_grid",
        selection: FEATURES,
        entitySource: {
          kind: "grid",
          view: "driver_hourly_stats",
          start: "2026-01-01T00:00:00Z",
          end: "2026-02-01T00:00:00Z",
          stepSeconds: 3600,
        },
      },
    });
    const moving = await waitForDataset(ctx, PROJECT, "big_grid", (d) => d.rowsDone >= 2 * SLICE);
    expect(moving.status).toBe("building");
    expect(moving.rowsTotal).toBe(300 * 745);
    const table = moving.storageLocation?.split(".")[1] ?? "";
    expect(await tables()).toContain(table);

    const cancelled = await cancelDataset({ ctx, input: { project: PROJECT, name: "big_grid" } });
    expect(cancelled.status).toBe("cancelled");
    // The build notices at its next slice boundary and drops what it wrote.
    await until(async () => !(await tables()).includes(table), "the partial table to go");
    const after = await getDataset({ ctx, input: { project: PROJECT, name: "big_grid" } });
    expect(after.status).toBe("cancelled");
    expect(after.error).toBe("cancelled by test");
    // Progress written after the cancel never lands: at most the slice in flight was done.
    expect(after.rowsDone).toBeLessThanOrEqual(cancelled.rowsDone + SLICE);
    expect(after.rowsDone).toBeLessThan(300 * 745);
    await expect(previewDataset({ ctx, input: { project: PROJECT, name: "big_grid" } })).rejects.toThrow(
      /is cancelled; its rows can be read once it is ready/,
    );
  });

  it("a build failing after some slices stores a safe error and leaves no rows (table and Parquet)", async () => {
    const good = Array.from({ length: 150 }, (_, i) => `${(i % 300) + 1},2026-01-05T00:00:00Z`);
    const csv = `driver_id,event_timestamp\n${good.join("\n")}\n3,topsecret-not-a-time\n`;
    const up = await uploadEntities({
      ctx,
      input: { project: PROJECT, fileName: "bad.csv", format: "csv", contentBase64: base64(csv) },
    });
    for (const storage of ["table", "parquet"] as const) {
      const name = `bad_${storage}`;
      await createDataset({
        ctx,
        input: {
          project: PROJECT,
          name,
          selection: FEATURES,
          entitySource: { kind: "upload", path: up.path, format: "csv", fileName: "bad.csv" },
          storage,
        },
      });
      const failed = await waitForDataset(ctx, PROJECT, name);
      expect(failed.status).toBe("failed");
      expect(failed.error).toBe(
        'reading the entity rows: entity row 151: "event_timestamp" is not a time; use ISO 8601 like 2026-01-31T12:00:00Z (no offset means UTC)',
      );
      expect(failed.rowsDone).toBe(100);
      const [row] = await t.db.select().from(datasets).where(eq(datasets.id, failed.id));
      if (storage === "table") expect(await tables()).not.toContain(row?.storageLocation?.split(".")[1]);
      else expect(fs.existsSync(ctx.offline.files.resolve(PROJECT, row?.storageLocation ?? "x"))).toBe(false);
    }
    // Nothing half-written stays in the project's folder either.
    const leftovers = fs
      .readdirSync(ctx.offline.files.dirOf(PROJECT), { recursive: true })
      .map(String)
      .filter((f) => f.startsWith("datasets/") || f.startsWith("tmp/quiver-parquet-"));
    expect(leftovers.filter((f) => f !== "datasets")).toEqual([]);
  });

  it("a build whose worker died is failed by the sweeper, and its rows removed", async () => {
    const jobs = recordingJobs();
    const quiet = { ...ctx, jobs };
    const d = await createDataset({
      ctx: quiet,
      input: {
        project: PROJECT,
        name: "orphan",
        selection: FEATURES,
        entitySource: { kind: "query", sql: "select 1::bigint as driver_id, now() as event_timestamp" },
      },
    });
    await buildDataset(quiet, d.id);
    const built = await getDataset({ ctx, input: { project: PROJECT, name: "orphan" } });
    const table = built.storageLocation?.split(".")[1] ?? "";
    expect(await tables()).toContain(table);
    // As if its worker had died mid-build 40 s ago (past this sweep's 30 s, within the worker's own 60 s).
    await t.db
      .update(datasets)
      .set({ status: "building", heartbeatAt: sql`now() - interval '40 seconds'` })
      .where(eq(datasets.id, d.id));
    expect(await sweepDatasets(ctx, queue.boss, 30)).toEqual([d.id]);
    const swept = await getDataset({ ctx, input: { project: PROJECT, name: "orphan" } });
    expect(swept).toMatchObject({
      status: "failed",
      error: "the worker stopped answering (no heartbeat for 30 s)",
    });
    expect(await tables()).not.toContain(table);
    // A live build (fresh heartbeat) is left alone.
    await t.db
      .update(datasets)
      .set({ status: "building", heartbeatAt: sql`now()` })
      .where(eq(datasets.id, d.id));
    expect(await sweepDatasets(ctx, queue.boss, 30)).toEqual([]);
  });

  it("a job delivered twice builds once; a finished dataset is left as it is", async () => {
    const quiet = { ...ctx, jobs: recordingJobs() };
    const d = await createDataset({
      ctx: quiet,
      input: {
        project: PROJECT,
        name: "twice",
        selection: FEATURES,
        entitySource: {
          kind: "grid",
          view: "driver_hourly_stats",
          start: "2026-01-01T00:00:00Z",
          end: "2026-01-02T00:00:00Z",
          stepSeconds: 86400,
        },
      },
    });
    const [a, b] = await Promise.all([
      buildDataset(quiet, d.id, { sliceRows: 50 }),
      buildDataset(quiet, d.id),
    ]);
    expect([a.status, b.status].sort()).toEqual(["building", "ready"]);
    const ready = await getDataset({ ctx, input: { project: PROJECT, name: "twice" } });
    expect(ready).toMatchObject({ status: "ready", rowsTotal: 600, rowsDone: 600 });
    expect(await buildDataset(quiet, d.id)).toMatchObject({ status: "ready", rowsDone: 600 });
    const preview = await previewDataset({ ctx, input: { project: PROJECT, name: "twice" } });
    expect(preview.rowCount).toBe(600);
  });
});

describe("downloads over REST", () => {
  const TIMES = ["2026-01-03T12:00:00.000000Z", "2026-01-10T00:00:00.000001Z", "2025-06-01T00:00:00.000000Z"];
  const as = (c: Ctx) => async () => c;

  beforeAll(async () => {
    await createDataset({
      ctx,
      input: {
        project: PROJECT,
        name: "for_download",
        selection: FEATURES,
        entitySource: {
          kind: "query",
          sql: `select driver_id, event_timestamp from (values (5::bigint, timestamptz '${TIMES[0]}', 1),
            (299, '${TIMES[1]}', 2), (5, '${TIMES[2]}', 3), (1000, '${TIMES[0]}', 4)) v(driver_id, event_timestamp, o)
            order by o`,
        },
      },
    });
    await waitForDataset(ctx, PROJECT, "for_download");
  });

  const get = (query: string) =>
    handleDownloadDataset(new Request(`http://quiver.test/api/v1/datasets/download?${query}`), as(ctx));

  it("streams CSV equal to the historical API's CSV for the same entity rows", async () => {
    const res = await get(`project=${PROJECT}&name=for_download&format=csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="for_download.csv"');
    const api = await handleGetHistoricalFeatures(
      postJson("get-historical-features", {
        project: PROJECT,
        ...FEATURES,
        entities: { driver_id: [5, 299, 5, 1000], event_timestamp: [TIMES[0], TIMES[1], TIMES[2], TIMES[0]] },
        format: "csv",
      }),
      as(ctx),
    );
    const text = await res.text();
    expect(text).toBe(await api.text());
    // Written by hand: driver 5 on 01-03 has 0.005 and 50; 299 at 01-10 00:00:00.000001 reads 01-10.
    expect(text).toBe(
      "driver_id,event_timestamp,conv_rate,avg_daily_trips\r\n" +
        `5,${TIMES[0]},0.005,50\r\n299,${TIMES[1]},0.299,2990\r\n5,${TIMES[2]},,\r\n1000,${TIMES[0]},,\r\n`,
    );
  });

  it("streams Parquet with the same rows, typed", async () => {
    const res = await get(`project=${PROJECT}&name=for_download&format=parquet`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/vnd.apache.parquet");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "quiver-download-"));
    const file = path.join(dir, "d.parquet");
    fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    const { rows, types } = await withDuckDb({ allowedDirs: [dir], timeoutMs: 10_000 }, async (conn) => {
      const r = await conn.runAndReadAll(
        `SELECT driver_id::VARCHAR, strftime(event_timestamp::TIMESTAMP, '%Y-%m-%dT%H:%M:%S.%fZ'), conv_rate, avg_daily_trips::VARCHAR FROM read_parquet('${file}')`,
      );
      const d = await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`);
      return {
        rows: r.getRows().map((x) => [...x]),
        types: d.getRowObjects().map((x) => `${x.column_name} ${x.column_type}`),
      };
    });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(types).toEqual([
      "driver_id BIGINT",
      "event_timestamp TIMESTAMP WITH TIME ZONE",
      "conv_rate DOUBLE",
      "avg_daily_trips BIGINT",
    ]);
    expect(rows).toEqual([
      ["5", TIMES[0], 0.005, "50"],
      ["299", TIMES[1], 0.299, "2990"],
      ["5", TIMES[2], null, null],
      ["1000", TIMES[0], null, null],
    ]);
  });

  it("reads its input from the query string: a missing or repeated parameter is a 400 naming it", async () => {
    const bad = async (query: string) => {
      const res = await get(query);
      return { status: res.status, body: (await res.json()) as { error: string; field?: string } };
    };
    expect(await bad(`project=${PROJECT}&format=csv`)).toMatchObject({
      status: 400,
      body: { field: "name" },
    });
    expect(await bad(`project=${PROJECT}&name=a&name=b`)).toMatchObject({
      status: 400,
      body: { error: "name: the query parameter is given more than once", field: "name" },
    });
    expect(await bad(`project=${PROJECT}&name=for_download&format=xlsx`)).toMatchObject({
      status: 400,
      body: { field: "format" },
    });
    expect((await bad(`project=${PROJECT}&name=nope`)).status).toBe(404);
    expect((await bad(`project=${PROJECT}&name=big_grid`)).body.error).toMatch(/is cancelled/);
  });
});
