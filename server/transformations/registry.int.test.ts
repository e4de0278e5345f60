import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { seedBasics } from "../../test/fixtures/registry";
import { recordingJobs } from "../../test/helpers/materialization";
import type { Ctx } from "../core/context";
import { createFeatureView, deleteDataSource, getDataSource, updateDataSource } from "../registry";
import { getLineageOp } from "../registry/lineage";
import {
  createTransformation,
  deleteTransformation,
  diffTransformationOp,
  getTransformation,
  listTransformations,
  listTransformationVersionsOp,
  previewTransformationDraft,
  updateTransformation,
} from "./registry";
import {
  backfillTransformationOp,
  cancelTransformationRunOp,
  executeTransformationRunOp,
  listTransformationRunsOp,
  runTransformationOp,
} from "./runs";

let t: TestDb;
let ctx: Ctx;
const jobs = recordingJobs();
const P = "proj";

const SQL = `select driver_id, event_timestamp,
  count(*) over (partition by driver_id order by event_timestamp
                 range between interval '7 days' preceding and current row) as trips_7d
from driver_stats_source`;
const spec = (over: Record<string, unknown> = {}) => ({
  name: "driver_7d",
  sql: SQL,
  eventTimestampColumn: "event_timestamp",
  ...over,
});

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t, { jobs });
  await seedBasics(ctx, t);
  await t.offlineSql(
    P,
    `insert into driver_stats (driver_id, event_timestamp) values
      (1, '2026-01-01T00:00:00Z'), (1, '2026-01-03T00:00:00Z'), (2, '2026-01-05T00:00:00Z'), (1, '2026-01-20T00:00:00Z')`,
  );
});
afterAll(async () => {
  await t?.drop();
});

const run = (input: Record<string, unknown>) =>
  runTransformationOp.call({ ctx, input: { project: P, name: "driver_7d", ...input } });
const execute = (runId: string) => executeTransformationRunOp.call({ ctx, input: { runId } });

describe("transformations in the registry", () => {
  it("creates version 1 with its output source and empty table, and exposes column lineage", async () => {
    const created = await createTransformation({ ctx, input: { project: P, spec: spec() } });
    expect(created).toMatchObject({
      version: 1,
      engine: "postgres",
      incremental: true,
      outputSource: "driver_7d",
    });
    expect(created.outputTable).toBe("proj.tx_driver_7d");
    expect(created.columns.find((c) => c.name === "trips_7d")).toEqual({
      name: "trips_7d",
      columnType: "bigint",
      valueType: "int64",
      from: [
        { source: "driver_stats_source", column: "driver_id" },
        { source: "driver_stats_source", column: "event_timestamp" },
      ],
    });
    const source = await getDataSource({ ctx, input: { project: P, name: "driver_7d" } });
    expect(source).toMatchObject({
      kind: "table",
      tableName: "proj.tx_driver_7d",
      timestampField: "event_timestamp",
    });
    expect((await t.offlineSql(P, "select count(*)::int as n from tx_driver_7d")).rows[0]?.n).toBe(0);
    const listed = await listTransformations({ ctx, input: { project: P } });
    expect(listed.map((x) => [x.name, x.lastRun])).toEqual([["driver_7d", null]]);
    const graph = await getLineageOp.call({ ctx, input: { project: P } });
    // source -> transformation -> output source (docs/adr/0039), no source -> source shortcut.
    expect(graph.edges.map((e) => e.id)).toEqual(
      expect.arrayContaining([
        "source:driver_stats_source->transformation:driver_7d",
        "transformation:driver_7d->source:driver_7d",
      ]),
    );
    expect(graph.edges.map((e) => e.id)).not.toContain("source:driver_stats_source->source:driver_7d");
    expect(graph.nodes.find((n) => n.id === "transformation:driver_7d")?.meta).toMatchObject({
      version: 1,
      output: "driver_7d",
      engine: "postgres",
    });
  });

  it("refuses names that are not sources, a taken name, and its own output", async () => {
    await expect(
      createTransformation({
        ctx,
        input: { project: P, spec: spec({ name: "x1", sql: "select * from nope" }) },
      }),
    ).rejects.toMatchObject({
      code: "INVALID",
      field: "sql",
      message: expect.stringContaining('"nope" is not a data source'),
    });
    await expect(
      createTransformation({ ctx, input: { project: P, spec: spec({ name: "driver_stats_source" }) } }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(
      updateTransformation({
        ctx,
        input: { project: P, version: 1, spec: spec({ sql: "select * from driver_7d" }) },
      }),
    ).rejects.toThrow(/"driver_7d" is not a data source/);
  });

  it("runs a full refresh first, then incremental runs from the watermark, and backfills a range", async () => {
    const first = await run({ end: "2026-01-10T00:00:00Z" });
    expect(first).toMatchObject({ mode: "full", status: "queued" });
    expect(jobs.transformationRunIds).toContain(first.id);
    await expect(run({})).rejects.toMatchObject({ code: "CONFLICT" });
    const done = await execute(first.id);
    expect(done).toMatchObject({ status: "succeeded", rowsWritten: 4, attempts: 1 });
    const head = await getTransformation({ ctx, input: { project: P, name: "driver_7d" } });
    expect(head.computedUntil).not.toBeNull();
    const rows = await t.offlineSql(
      P,
      "select driver_id, trips_7d from tx_driver_7d order by event_timestamp",
    );
    expect(rows.rows.map((r) => `${r.driver_id}:${r.trips_7d}`)).toEqual(["1:1", "1:2", "2:1", "1:1"]);

    const until = head.computedUntil as Date;
    const next = await run({ end: new Date(until.getTime() + 3_600_000).toISOString() });
    expect(next).toMatchObject({ mode: "incremental", startTs: until });
    expect(await execute(next.id)).toMatchObject({ status: "succeeded", rowsWritten: 0 });

    const back = await backfillTransformationOp.call({
      ctx,
      input: { project: P, name: "driver_7d", start: "2026-01-01T00:00:00Z", end: "2026-01-04T00:00:00Z" },
    });
    expect(await execute(back.id)).toMatchObject({ status: "succeeded", rowsWritten: 2, mode: "backfill" });
    const history = await listTransformationRunsOp.call({ ctx, input: { project: P, name: "driver_7d" } });
    expect(history.map((r) => r.mode)).toEqual(["backfill", "incremental", "full"]);
    // The list carries each transformation's newest run.
    const [listed] = await listTransformations({ ctx, input: { project: P } });
    expect(listed?.lastRun).toMatchObject({ id: back.id, mode: "backfill", status: "succeeded" });
  });

  it("cancels a queued run: it never starts, writes nothing, the watermark stays; a second cancel is a 409", async () => {
    const before = await getTransformation({ ctx, input: { project: P, name: "driver_7d" } });
    await t.offlineSql(
      P,
      "insert into driver_stats (driver_id, event_timestamp) values (3, '2026-01-06T00:00:00Z')",
    );
    const queued = await run({ mode: "full" });
    const cancelled = await cancelTransformationRunOp.call({ ctx, input: { project: P, runId: queued.id } });
    expect(cancelled).toMatchObject({ status: "cancelled", error: "cancelled by test" });
    expect(await execute(queued.id)).toMatchObject({ status: "cancelled", attempts: 0, rowsWritten: 0 });
    expect(
      (await t.offlineSql(P, "select count(*)::int as n from tx_driver_7d where driver_id = 3")).rows[0]?.n,
    ).toBe(0);
    expect(
      (await getTransformation({ ctx, input: { project: P, name: "driver_7d" } })).computedUntil,
    ).toEqual(before.computedUntil);
    await expect(
      cancelTransformationRunOp.call({ ctx, input: { project: P, runId: queued.id } }),
    ).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining("is cancelled already") });
    await t.offlineSql(P, "delete from driver_stats where driver_id = 3");
  });

  it("keeps feature views reading the output working: breaking versions, deletes and source edits are refused", async () => {
    await createFeatureView({
      ctx,
      input: {
        project: P,
        spec: {
          name: "driver_weekly",
          entities: ["driver"],
          source: "driver_7d",
          ttlSeconds: 0,
          fields: [{ name: "trips_7d", dtype: "int64" }],
        },
      },
    });
    const current = await getTransformation({ ctx, input: { project: P, name: "driver_7d" } });
    await expect(
      updateTransformation({
        ctx,
        input: {
          project: P,
          version: current.currentVersion,
          spec: spec({ sql: "select driver_id, event_timestamp from driver_stats_source" }),
        },
      }),
    ).rejects.toThrow(
      /feature view "driver_weekly" reads transformation "driver_7d"'s output.*no output column "trips_7d"/,
    );
    const v2 = await updateTransformation({
      ctx,
      input: {
        project: P,
        version: current.currentVersion,
        spec: spec({ sql: `${SQL} where driver_id > 0`, description: "positive ids" }),
      },
    });
    expect(v2).toMatchObject({ version: 2, description: "positive ids" });
    // The history, newest first, with who wrote each version.
    const versions = await listTransformationVersionsOp.call({
      ctx,
      input: { project: P, name: "driver_7d" },
    });
    expect(versions.map((v) => v.version)).toEqual([2, 1]);
    expect(versions.map((v) => v.createdBy)).toEqual(["test", "test"]);
    expect(versions[0]?.createdAt.getTime()).toBeGreaterThanOrEqual(versions[1]?.createdAt.getTime() ?? 0);
    // A new version's first run recomputes everything: rows before the watermark are v1's.
    const afterV2 = await run({});
    expect(afterV2).toMatchObject({ mode: "full", version: 2 });
    expect(await execute(afterV2.id)).toMatchObject({ status: "succeeded" });
    expect(await run({ end: "2099-01-01T00:00:00Z" })).toMatchObject({ mode: "incremental", version: 2 });
    await expect(
      updateTransformation({ ctx, input: { project: P, version: 1, spec: spec() } }),
    ).rejects.toMatchObject({ code: "CONFLICT", field: "version" });
    await expect(deleteTransformation({ ctx, input: { project: P, name: "driver_7d" } })).rejects.toThrow(
      /feature view\(s\) "driver_weekly" read its output/,
    );
    await expect(deleteDataSource({ ctx, input: { project: P, name: "driver_7d" } })).rejects.toThrow(
      /transformation "driver_7d"/,
    );
    await expect(
      updateDataSource({
        ctx,
        input: {
          project: P,
          name: "driver_7d",
          kind: "table",
          tableName: "proj.driver_stats",
          timestampField: "event_timestamp",
        },
      }),
    ).rejects.toThrow(/is the output of transformation "driver_7d"/);
  });

  it("diffs two versions: SQL, columns added, removed and retyped, lineage, incremental rule, metadata", async () => {
    await createTransformation({ ctx, input: { project: P, spec: spec({ name: "diffed" }) } });
    await updateTransformation({
      ctx,
      input: {
        project: P,
        version: 1,
        spec: spec({
          name: "diffed",
          sql: "select driver_id::text as driver_id, event_timestamp, random() as r from driver_stats_source limit 5",
          owner: "someone",
        }),
      },
    });
    const d = await diffTransformationOp.call({ ctx, input: { project: P, name: "diffed", from: 1, to: 2 } });
    expect(d.sql.changed).toBe(true);
    expect(d.columns.added.map((c) => c.name)).toEqual(["r"]);
    expect(d.columns.removed.map((c) => c.name)).toEqual(["trips_7d"]);
    expect(d.columns.retyped).toEqual([{ name: "driver_id", from: "bigint", to: "text" }]);
    expect(d.columns.relineaged).toEqual([]);
    expect(d.incremental).toEqual({ from: true, to: false });
    expect(d.metadata).toEqual(["owner"]);
    expect(d.eventTimestampColumn).toBeNull();
  });

  it("previews a draft's first rows, and deletes an unused transformation with its source and table", async () => {
    const preview = await previewTransformationDraft({
      ctx,
      input: { project: P, sql: `${SQL} order by 2` },
    });
    expect(preview.columns.map((c) => c.name)).toEqual(["driver_id", "event_timestamp", "trips_7d"]);
    expect(preview.rows[0]).toEqual(["1", "2026-01-01 00:00:00+00", "1"]);

    await createTransformation({ ctx, input: { project: P, spec: spec({ name: "gone" }) } });
    expect(await deleteTransformation({ ctx, input: { project: P, name: "gone" } })).toEqual({
      name: "gone",
      outputSource: "gone",
    });
    await expect(getDataSource({ ctx, input: { project: P, name: "gone" } })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    expect((await t.offlineSql(P, "select to_regclass('proj.tx_gone') as t")).rows[0]?.t).toBeNull();
  });
});
