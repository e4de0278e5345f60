import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import {
  insertDriverRows,
  onlineDrivers,
  PROJECT,
  recordingJobs,
  seedDriverView,
  VIEW,
} from "../../test/helpers/materialization";
import type { Ctx } from "../core/context";
import { featureViews, materializationRuns } from "../db/schema";
import { quiverMetrics } from "../metrics/registry";
import { getFeatureView } from "../registry";
import { cancelRun } from "./cancel-run";
import { getRun } from "./get-run";
import { listRuns } from "./list-runs";
import { runMaterialization } from "./run-materialization";
import { startIncrementalMaterialization } from "./start-incremental-materialization";
import { startMaterialization } from "./start-materialization";

let t: TestDb;
let ctx: Ctx;
let jobs: ReturnType<typeof recordingJobs>;

const at = (hhmm: string) => new Date(`2026-01-01T${hhmm}:00Z`);
const iso = (hhmm: string) => at(hhmm).toISOString();

beforeAll(async () => {
  t = await createTestDb();
  jobs = recordingJobs();
  ctx = testCtx(t, { jobs });
  await seedDriverView(ctx, t);
  await insertDriverRows(t, [
    // driver 1: latest in [07:00, 10:30] is 10:00; 11:00 lies after the window
    [1, 0.1, 10, iso("08:00"), iso("08:00")],
    [1, 0.2, 20, iso("10:00"), iso("10:00")],
    [1, 0.9, 90, iso("11:00"), iso("11:00")],
    // driver 2: three rows at 09:00; the greatest created wins, a null created loses
    [2, 0.3, 30, iso("09:00"), iso("09:00")],
    [2, 0.4, 40, iso("09:00"), iso("09:30")],
    [2, 0.5, 50, iso("09:00"), null],
    // driver 3: rows exactly on both bounds; the end bound's is the latest
    [3, 0.6, 60, iso("07:00"), null],
    [3, 0.7, 70, iso("10:30"), null],
    // driver 4: only before the window
    [4, 0.8, 80, iso("06:59"), null],
  ]);
});

afterAll(async () => {
  await t?.drop();
});

beforeEach(async () => {
  jobs.runIds.length = 0;
  await ctx.online.deleteView(PROJECT, VIEW);
  await t.db.update(featureViews).set({ materializedUntil: null });
});

async function watermark(): Promise<Date | null> {
  const view = await getFeatureView({ ctx, input: { project: PROJECT, name: VIEW } });
  return view.materializedUntil;
}

async function materialize(start: string, end: string, batchSize?: number) {
  const [run] = await startMaterialization({
    ctx,
    input: { project: PROJECT, startTs: at(start), endTs: at(end) },
  });
  if (!run) throw new Error("no run started");
  return runMaterialization(ctx, run.id, { batchSize });
}

describe("startMaterialization", () => {
  it("queues one run per online view, enqueued under its id", async () => {
    const runs = await startMaterialization({
      ctx,
      input: { project: PROJECT, featureViews: [VIEW], startTs: at("07:00"), endTs: at("10:30") },
    });
    expect(runs).toHaveLength(1);
    const run = runs[0];
    expect(run).toMatchObject({
      featureView: VIEW,
      project: PROJECT,
      status: "queued",
      kind: "range",
      featureViewVersion: 1,
      triggeredBy: "test",
      attempts: 0,
    });
    expect(run?.startTs).toEqual(at("07:00"));
    expect(jobs.runIds).toEqual([run?.id]);
  });

  it("refuses an unknown view, naming it, and a window whose start is after its end", async () => {
    await expect(
      startMaterialization({
        ctx,
        input: { project: PROJECT, featureViews: [VIEW, "nope"], startTs: at("07:00"), endTs: at("08:00") },
      }),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
      field: "featureViews.1",
      message: expect.stringContaining('"nope"'),
    });
    await expect(
      startMaterialization({ ctx, input: { project: PROJECT, startTs: at("09:00"), endTs: at("08:00") } }),
    ).rejects.toMatchObject({ code: "INVALID", field: "startTs" });
    await expect(
      startMaterialization({ ctx, input: { project: "ghost", startTs: at("07:00"), endTs: at("08:00") } }),
    ).rejects.toMatchObject({ code: "NOT_FOUND", field: "project" });
    await expect(
      startMaterialization({ ctx, input: { project: PROJECT, startTs: "yesterday", endTs: at("08:00") } }),
    ).rejects.toMatchObject({ code: "INVALID", field: "startTs" });
    expect(jobs.runIds).toEqual([]);
  });
});

describe("runMaterialization", () => {
  it("writes the latest row per entity of the inclusive window and moves the watermark", async () => {
    const run = await materialize("07:00", "10:30");
    expect(run).toMatchObject({ status: "succeeded", rowsRead: 3, rowsWritten: 3, attempts: 1, error: null });
    expect(run.finishedAt).toBeInstanceOf(Date);
    expect(await onlineDrivers(ctx, [1, 2, 3, 4])).toEqual([
      { conv_rate: 0.2, trips: 20, eventTs: iso("10:00") },
      { conv_rate: 0.4, trips: 40, eventTs: iso("09:00") },
      { conv_rate: 0.7, trips: 70, eventTs: iso("10:30") },
      null,
    ]);
    expect(await watermark()).toEqual(at("10:30"));
  });

  it("is harmless to re-run: same values, same counts", async () => {
    const first = await materialize("07:00", "10:30", 2);
    const before = await onlineDrivers(ctx, [1, 2, 3]);
    const second = await materialize("07:00", "10:30", 2);
    expect(await onlineDrivers(ctx, [1, 2, 3])).toEqual(before);
    expect([second.rowsRead, second.rowsWritten]).toEqual([first.rowsRead, first.rowsWritten]);
    expect(second.rowsWritten).toBe(3);
  });

  it("leaves a run that already succeeded alone (double delivery)", async () => {
    const run = await materialize("07:00", "10:30");
    await ctx.online.deleteView(PROJECT, VIEW);
    const again = await runMaterialization(ctx, run.id);
    expect(again.attempts).toBe(1);
    expect(again.status).toBe("succeeded");
    expect(await onlineDrivers(ctx, [1])).toEqual([null]);
  });

  it("never moves the watermark back", async () => {
    await materialize("07:00", "10:30");
    await materialize("07:00", "08:00");
    expect(await watermark()).toEqual(at("10:30"));
  });

  it("on failure records the error, rethrows, waits for its retry and keeps the watermark; the retry succeeds", async () => {
    await materialize("07:00", "08:00");
    const [run] = await startMaterialization({
      ctx,
      input: { project: PROJECT, startTs: at("07:00"), endTs: at("10:30") },
    });
    if (!run) throw new Error("no run");
    await t.offlineSql(PROJECT, "alter table driver_stats rename to driver_stats_moved");
    try {
      await expect(runMaterialization(ctx, run.id)).rejects.toThrow(/does not exist/);
    } finally {
      await t.offlineSql(PROJECT, "alter table driver_stats_moved rename to driver_stats");
    }
    const failed = await getRun({ ctx, input: { project: PROJECT, runId: run.id } });
    expect(failed).toMatchObject({ status: "retrying", attempts: 1 });
    expect(failed.error).toBe(
      'reading source "driver_stats_source": relation "proj.driver_stats" does not exist',
    );
    expect(await watermark()).toEqual(at("08:00"));

    // The queue's retry: the same run, claimed again.
    const retried = await runMaterialization(ctx, run.id);
    expect(retried).toMatchObject({ status: "succeeded", attempts: 2, error: null, rowsWritten: 3 });
    expect(await watermark()).toEqual(at("10:30"));
  });

  it("a failed last attempt ends the run failed, and a later delivery does not claim it", async () => {
    const [run] = await startMaterialization({
      ctx,
      input: { project: PROJECT, startTs: at("07:00"), endTs: at("10:30") },
    });
    if (!run) throw new Error("no run");
    await t.offlineSql(PROJECT, "alter table driver_stats rename to driver_stats_moved");
    try {
      await expect(runMaterialization(ctx, run.id, { lastAttempt: true })).rejects.toThrow(/does not exist/);
    } finally {
      await t.offlineSql(PROJECT, "alter table driver_stats_moved rename to driver_stats");
    }
    expect(await runMaterialization(ctx, run.id)).toMatchObject({ status: "failed", attempts: 1 });
    expect(await watermark()).toBeNull();
  });

  it("records the heartbeat on claim and after each batch", async () => {
    const run = await materialize("00:00", "23:59", 1);
    const [row] = await t.db.select().from(materializationRuns).where(eq(materializationRuns.id, run.id));
    expect(row?.heartbeatAt).toBeInstanceOf(Date);
    expect(row?.heartbeatAt?.getTime()).toBeGreaterThanOrEqual((row?.startedAt?.getTime() ?? 0) - 1000);
  });

  it("records progress on the run row after each batch", async () => {
    const run = await materialize("00:00", "23:59", 1);
    expect(run).toMatchObject({ rowsRead: 4, rowsWritten: 4 });
    const [row] = await t.db.select().from(materializationRuns).where(eq(materializationRuns.id, run.id));
    expect(row?.rowsRead).toBe(4);
  });

  it("keeps several writes in flight, but its progress never counts a batch before every earlier one is written", async () => {
    const [run] = await startMaterialization({
      ctx,
      input: { project: PROJECT, startTs: at("00:00"), endTs: at("23:59") },
    });
    if (!run) throw new Error("no run");
    const done: boolean[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const violations: string[] = [];
    const progress = async () =>
      (await t.db.select().from(materializationRuns).where(eq(materializationRuns.id, run.id)))[0]
        ?.rowsWritten ?? -1;
    const prefix = () => {
      let n = 0;
      while (done[n]) n++;
      return n;
    };
    const slowFirst: Ctx = {
      ...ctx,
      online: {
        ...ctx.online,
        write: async (project, view, rows) => {
          const i = done.length;
          done.push(false);
          maxInFlight = Math.max(maxInFlight, ++inFlight);
          // the first batch finishes last
          if (i === 0) await new Promise((r) => setTimeout(r, 300));
          const res = await ctx.online.write(project, view, rows);
          const before = await progress();
          if (before > prefix()) violations.push(`progress ${before} with batches ${done} written`);
          done[i] = true;
          inFlight--;
          return res;
        },
      },
    };
    const finished = await runMaterialization(slowFirst, run.id, { batchSize: 1, writesInFlight: 3 });
    expect(finished).toMatchObject({ status: "succeeded", rowsRead: 4, rowsWritten: 4 });
    expect(maxInFlight).toBe(3);
    expect(violations).toEqual([]);
    expect(await onlineDrivers(ctx, [1, 2, 3, 4])).toEqual([
      { conv_rate: 0.9, trips: 90, eventTs: iso("11:00") },
      { conv_rate: 0.4, trips: 40, eventTs: iso("09:00") },
      { conv_rate: 0.7, trips: 70, eventTs: iso("10:30") },
      { conv_rate: 0.8, trips: 80, eventTs: iso("06:59") },
    ]);
  });

  it("cancelled with writes in flight: those finish, progress counts only settled batches, the watermark stays", async () => {
    const before = await watermark();
    const [run] = await startMaterialization({
      ctx,
      input: { project: PROJECT, startTs: at("00:00"), endTs: at("23:59") },
    });
    if (!run) throw new Error("no run");
    let writes = 0;
    let finishedWrites = 0;
    const cancelling: Ctx = {
      ...ctx,
      online: {
        ...ctx.online,
        write: async (project, view, rows) => {
          if (++writes === 1) await cancelRun({ ctx, input: { project: PROJECT, runId: run.id } });
          const res = await ctx.online.write(project, view, rows);
          finishedWrites++;
          return res;
        },
      },
    };
    const done = await runMaterialization(cancelling, run.id, { batchSize: 1, writesInFlight: 2 });
    // batches 0 and 1 were sent before 0 settled and found the run cancelled; no third was sent
    expect(writes).toBe(2);
    expect(finishedWrites).toBe(2);
    expect(done).toMatchObject({ status: "cancelled", rowsRead: 0, rowsWritten: 0 });
    expect(await watermark()).toEqual(before);
  });

  it("counts the rows it writes for /metrics (quiver_materialized_rows_total)", async () => {
    const counted = async () =>
      (await quiverMetrics().materializedRows.get()).values.find(
        (v) => v.labels.project === PROJECT && v.labels.view === VIEW,
      )?.value ?? 0;
    const before = await counted();
    await materialize("07:00", "10:30", 2);
    expect((await counted()) - before).toBe(3);
  });

  it("reports an unknown run", async () => {
    await expect(runMaterialization(ctx, "00000000-0000-4000-8000-000000000000")).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });
});

describe("startIncrementalMaterialization", () => {
  it("starts at the watermark when there is one", async () => {
    await materialize("07:00", "09:00");
    const [run] = await startIncrementalMaterialization({
      ctx,
      input: { project: PROJECT, endTs: at("12:00") },
    });
    expect(run).toMatchObject({ kind: "incremental", status: "queued" });
    expect(run?.startTs).toEqual(at("09:00"));
    expect(run?.endTs).toEqual(at("12:00"));
    if (!run) throw new Error("no run");
    await runMaterialization(ctx, run.id);
    expect(await watermark()).toEqual(at("12:00"));
    expect((await onlineDrivers(ctx, [1]))[0]).toMatchObject({ conv_rate: 0.9 });
  });

  it("starts at end - ttl without a watermark, or at 1970 when the ttl is 0", async () => {
    const [noTtl] = await startIncrementalMaterialization({
      ctx,
      input: { project: PROJECT, endTs: at("12:00") },
    });
    expect(noTtl?.startTs).toEqual(new Date(0));
    await t.db.update(featureViews).set({ ttlSeconds: 3600 });
    try {
      const [withTtl] = await startIncrementalMaterialization({
        ctx,
        input: { project: PROJECT, endTs: at("12:00") },
      });
      expect(withTtl?.startTs).toEqual(at("11:00"));
    } finally {
      await t.db.update(featureViews).set({ ttlSeconds: 0 });
    }
  });

  it("refuses an end before the watermark", async () => {
    await materialize("07:00", "10:00");
    await expect(
      startIncrementalMaterialization({ ctx, input: { project: PROJECT, endTs: at("09:00") } }),
    ).rejects.toMatchObject({ code: "INVALID", field: "endTs" });
  });
});

describe("listRuns / getRun", () => {
  it("lists a project's runs newest first, by view", async () => {
    const a = await materialize("07:00", "08:00");
    const b = await materialize("08:00", "09:00");
    const runs = await listRuns({ ctx, input: { project: PROJECT, featureView: VIEW, limit: 2 } });
    expect(runs.map((r) => r.id)).toEqual([b.id, a.id]);
    expect(runs[0]?.featureView).toBe(VIEW);
    await expect(listRuns({ ctx, input: { project: PROJECT, featureView: "nope" } })).rejects.toMatchObject({
      code: "NOT_FOUND",
      field: "featureView",
    });
  });

  it("gets a run only within its project", async () => {
    const run = await materialize("07:00", "08:00");
    expect((await getRun({ ctx, input: { project: PROJECT, runId: run.id } })).id).toBe(run.id);
    await expect(getRun({ ctx, input: { project: PROJECT, runId: "not-a-uuid" } })).rejects.toMatchObject({
      code: "INVALID",
      field: "runId",
    });
  });
});
