import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { and, asc, eq } from "drizzle-orm";
import type PgBoss from "pg-boss";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { dropRoles } from "../../test/global-setup";
import {
  onlineDrivers,
  PROJECT,
  recordingJobs,
  seedDriverView,
  VIEW,
} from "../../test/helpers/materialization";
import { sharedOfflineSettings, startWorkerProcess } from "../../test/helpers/worker-process";
import type { Ctx } from "../core/context";
import { createPool } from "../db/client";
import { featureViews, materializationRunRanges } from "../db/schema";
import { resetEnvCache } from "../env";
import type { OnlineStore } from "../online";
import { cancelRun } from "./cancel-run";
import { createBoss, createJobQueue, type MaterializationWorker, startMaterializationWorker } from "./queue";
import { runMaterialization } from "./run-materialization";
import { isTerminal, loadRuns, type Run } from "./run-row";
import { startMaterialization } from "./start-materialization";
import { startRunSweeper } from "./sweep-runs";

/**
 * Parallel key ranges (docs/adr/0005-materialization.md): a run split into ranges keeps one run
 * row, its progress and its watermark rules. Expected rows come from the seed below, written by
 * hand: driver d has an older row (conv d/1000, trips d) at 05:00 and a newer one (conv d/100,
 * trips 10·d) at 06:00; the window covers both.
 */
const DRIVERS = 60;
const TIMEOUT_S = 5;
const WINDOW = { startTs: new Date("2026-01-01T00:00:00Z"), endTs: new Date("2026-01-02T00:00:00Z") };
const expected = (d: number) => ({ conv_rate: d / 100, trips: 10 * d, eventTs: "2026-01-01T06:00:00.000Z" });
/** A run that wrote every driver in its first attempt. */
const SUCCEEDED_FIRST_TIME = {
  status: "succeeded",
  attempts: 1,
  rowsRead: DRIVERS,
  rowsWritten: DRIVERS,
  error: null,
};
const ALL = Array.from({ length: DRIVERS }, (_, i) => i + 1);

let t: TestDb;
let ctx: Ctx;
let jobs: ReturnType<typeof recordingJobs>;
let boss: PgBoss;
let offlineSettings: { secret: string; rolePrefix: string };
let child: ChildProcess | undefined;
const workers: MaterializationWorker[] = [];
const bosses: PgBoss[] = [];

beforeAll(async () => {
  t = await createTestDb();
  // A child worker process reads the source as the same roles: offline settings of our own.
  offlineSettings = sharedOfflineSettings("kr");
  const offline = t.openOffline(offlineSettings);
  jobs = recordingJobs();
  ctx = testCtx(t, { offline, jobs });
  await seedDriverView(ctx, t);
  await t.offlineSql(
    PROJECT,
    `insert into driver_stats
     select d, d / 1000.0, d, '2026-01-01T05:00:00Z'::timestamptz, null::timestamptz from generate_series(1, $1) d
     union all
     select d, d / 100.0, 10 * d, '2026-01-01T06:00:00Z'::timestamptz, null from generate_series(1, $1) d`,
    [DRIVERS],
  );
  await offline.provision(PROJECT);
  boss = await createBoss(t.url, { pollingIntervalSeconds: 0.5, max: 2 });
});

afterAll(async () => {
  child?.kill("SIGKILL");
  for (const w of workers) await w.stop();
  for (const b of [...bosses, boss])
    await b?.stop({ graceful: true, close: true, timeout: 10_000, wait: true });
  await t?.drop();
  const admin = createPool(inject("pgBaseUrl"), 1);
  await dropRoles(admin, offlineSettings.rolePrefix).finally(() => admin.end());
});

beforeEach(async () => {
  jobs.runIds.length = 0;
  jobs.cancelledIds.length = 0;
  await ctx.online.deleteView(PROJECT, VIEW);
  await t.db.update(featureViews).set({ materializedUntil: null });
});

/** A queued run whose job went nowhere (the test runs it). */
async function queuedRun(): Promise<Run> {
  const [run] = await startMaterialization({ ctx, input: { project: PROJECT, ...WINDOW } });
  if (!run) throw new Error("no run");
  jobs.runIds.length = 0;
  return run;
}

async function rangesOf(runId: string) {
  return t.db
    .select()
    .from(materializationRunRanges)
    .where(eq(materializationRunRanges.runId, runId))
    .orderBy(asc(materializationRunRanges.runAttempt), asc(materializationRunRanges.rangeIndex));
}

async function watermark(): Promise<Date | null> {
  const [v] = await t.db.select({ until: featureViews.materializedUntil }).from(featureViews);
  return v?.until ?? null;
}

async function row(runId: string): Promise<Run> {
  const [run] = await loadRuns(t.db, [runId]);
  if (!run) throw new Error(`run ${runId} not found`);
  return run;
}

/** Polls until `until` holds (never a fixed sleep). */
async function waitFor<T>(what: string, read: () => Promise<T>, until: (x: T) => boolean, ms = 30_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const x = await read();
    if (until(x)) return x;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(x)}`);
    await sleep(50);
  }
}

/**
 * The run row's progress is the sum of its current attempt's ranges' (every statement that moves
 * one moves the other); a mismatch, as the database has it now, is recorded.
 */
async function checkProgressSums(runId: string, mismatches: string[]) {
  const { rows } = await t.pool.query<{ run: string; ranges: string }>(
    `select m.rows_read::text as run, coalesce(sum(r.rows_read), 0)::text as ranges
     from materialization_runs m
     left join materialization_run_ranges r on r.run_id = m.id and r.run_attempt = m.attempts
     where m.id = $1 and m.status = 'running' group by m.rows_read`,
    [runId],
  );
  const r = rows[0];
  if (r && r.run !== r.ranges) mismatches.push(`run ${r.run} vs ranges ${r.ranges}`);
}

/** The online store, with a hook before each write. */
function withWrites(base: OnlineStore, before: (rows: number) => Promise<void>): OnlineStore {
  return {
    ...base,
    kind: base.kind,
    async write(project, view, rows) {
      await before(rows.length);
      return base.write(project, view, rows);
    },
  };
}

/** In this block, workers (theirs read the environment) split every run into 3 key ranges. */
function splitRunsInWorkers() {
  beforeAll(() => {
    process.env.QUIVER_MATERIALIZE_SPLIT_ROWS = "1";
    process.env.QUIVER_MATERIALIZE_MAX_RANGES = "3";
    resetEnvCache();
  });
  afterAll(() => {
    delete process.env.QUIVER_MATERIALIZE_SPLIT_ROWS;
    delete process.env.QUIVER_MATERIALIZE_MAX_RANGES;
    resetEnvCache();
  });
}

describe("a run split into key ranges", () => {
  it("writes every entity once through K ranges, sends their jobs, and finishes like an unsplit run", async () => {
    const run = await queuedRun();
    const done = await runMaterialization(ctx, run.id, { batchSize: 7, splitRows: 1, maxRanges: 3 });
    expect(done).toMatchObject(SUCCEEDED_FIRST_TIME);
    const ranges = await rangesOf(run.id);
    expect(ranges.map((r) => [r.runAttempt, r.rangeIndex, r.rangeCount, r.status, r.attempts])).toEqual([
      [1, 0, 3, "succeeded", 1],
      [1, 1, 3, "succeeded", 1],
      [1, 2, 3, "succeeded", 1],
    ]);
    // every range has entities, and together they are all of them, each once
    for (const r of ranges) expect(r.rowsRead).toBeGreaterThan(0);
    expect(ranges.reduce((n, r) => n + r.rowsRead, 0)).toBe(DRIVERS);
    // one job per range, under the range's id
    expect([...jobs.runIds].sort()).toEqual(ranges.map((r) => r.id).sort());
    expect(await onlineDrivers(ctx, ALL)).toEqual(ALL.map(expected));
    expect(await watermark()).toEqual(WINDOW.endTs);

    // a late delivery of a range's job changes nothing
    const again = await runMaterialization(ctx, ranges[1]?.id ?? "");
    expect(again).toMatchObject({ id: run.id, status: "succeeded", rowsWritten: DRIVERS });
    expect((await rangesOf(run.id)).map((r) => r.attempts)).toEqual([1, 1, 1]);
  });

  it("is not split when the planner expects no more rows than the limit", async () => {
    const run = await queuedRun();
    const done = await runMaterialization(ctx, run.id, { splitRows: 1_000_000 });
    expect(done).toMatchObject({ status: "succeeded", rowsWritten: DRIVERS });
    expect(await rangesOf(run.id)).toEqual([]);
    expect(jobs.runIds).toEqual([]);
  });

  it("fails the run's attempt when a range fails, naming the range; the watermark stays; the retry succeeds", async () => {
    const run = await queuedRun();
    let failOnce = true;
    const failing: Ctx = {
      ...ctx,
      online: withWrites(ctx.online, async () => {
        // the first write of the second range the coordinator runs fails
        const running = await t.db
          .select()
          .from(materializationRunRanges)
          .where(
            and(eq(materializationRunRanges.runId, run.id), eq(materializationRunRanges.status, "running")),
          );
        if (failOnce && running[0]?.rangeIndex === 1) {
          failOnce = false;
          throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6379"), { code: "ECONNREFUSED" });
        }
      }),
    };
    await expect(
      runMaterialization(failing, run.id, { batchSize: 7, splitRows: 1, maxRanges: 3 }),
    ).rejects.toThrow(/^range 2 of 3: /);
    const failed = await row(run.id);
    expect(failed).toMatchObject({
      status: "retrying",
      attempts: 1,
      error: "range 2 of 3: writing to the online store: online store unavailable: connection refused",
    });
    expect(await watermark()).toBeNull();
    expect((await rangesOf(run.id)).map((r) => [r.rangeIndex, r.status])).toEqual([
      [0, "succeeded"],
      [1, "failed"],
      [2, "cancelled"],
    ]);
    // the queued range's job was cancelled
    const third = (await rangesOf(run.id))[2];
    expect(jobs.cancelledIds).toEqual([third?.id]);

    // The queue's retry: a new attempt plans its own ranges and writes everything.
    const retried = await runMaterialization(ctx, run.id, { batchSize: 7, splitRows: 1, maxRanges: 3 });
    expect(retried).toMatchObject({ status: "succeeded", attempts: 2, rowsWritten: DRIVERS, error: null });
    const second = (await rangesOf(run.id)).filter((r) => r.runAttempt === 2);
    expect(second.map((r) => r.status)).toEqual(["succeeded", "succeeded", "succeeded"]);
    expect(await onlineDrivers(ctx, ALL)).toEqual(ALL.map(expected));
    expect(await watermark()).toEqual(WINDOW.endTs);
  });

  it("a failed last attempt ends the run failed", async () => {
    const run = await queuedRun();
    const failing: Ctx = {
      ...ctx,
      online: withWrites(ctx.online, async () => {
        throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
      }),
    };
    await expect(
      runMaterialization(failing, run.id, { splitRows: 1, maxRanges: 2, lastAttempt: true }),
    ).rejects.toThrow();
    expect(await row(run.id)).toMatchObject({
      status: "failed",
      error: "range 1 of 2: writing to the online store: online store unavailable: connection refused",
    });
    expect(await watermark()).toBeNull();
  });

  it("stops when cancelled mid-run: no further write, ranges cancelled, the watermark stays", async () => {
    const run = await queuedRun();
    let writes = 0;
    let afterCancel = 0;
    let cancelled = false;
    const cancelling: Ctx = {
      ...ctx,
      online: withWrites(ctx.online, async () => {
        if (cancelled) afterCancel++;
        if (++writes === 3) {
          await cancelRun({ ctx, input: { project: PROJECT, runId: run.id } });
          cancelled = true;
        }
      }),
    };
    const done = await runMaterialization(cancelling, run.id, {
      batchSize: 5,
      writesInFlight: 1,
      splitRows: 1,
      maxRanges: 3,
    });
    expect(done.status).toBe("cancelled");
    // the write that cancelled finishes; nothing is sent after it
    expect(afterCancel).toBe(0);
    expect(done.rowsWritten).toBeLessThan(DRIVERS);
    expect((await rangesOf(run.id)).map((r) => r.status)).toEqual(["cancelled", "cancelled", "cancelled"]);
    expect(await watermark()).toBeNull();
  });
});

describe("key ranges on the real queue", () => {
  splitRunsInWorkers();

  it("shares one run's ranges between two workers", async () => {
    const wroteBy = new Map<string, number>();
    /** A worker's context: its writes are counted, and its first write waits until two ranges run. */
    const workerCtx = (name: string, b: PgBoss): Ctx => {
      let first = true;
      return {
        ...ctx,
        actor: { kind: "system", name },
        jobs: createJobQueue(b, { retryDelay: 1, retryBackoff: false }),
        online: withWrites(ctx.online, async (rows) => {
          wroteBy.set(name, (wroteBy.get(name) ?? 0) + rows);
          if (!first) return;
          first = false;
          await waitFor(
            "two ranges running at once",
            () => t.db.select().from(materializationRunRanges),
            (rs) => rs.filter((r) => r.status === "running").length >= 2,
            15_000,
          ).catch(() => {});
        }),
      };
    };
    for (const name of ["worker-a", "worker-b"]) {
      const b = await createBoss(t.url, { pollingIntervalSeconds: 0.5, max: 2 });
      bosses.push(b);
      const c = workerCtx(name, b);
      workers.push(
        await startMaterializationWorker({
          boss: b,
          ctxFor: () => c,
          concurrency: 1,
          batchSize: 5,
          heartbeatTimeoutSeconds: TIMEOUT_S,
        }),
      );
    }
    const queued = { ...ctx, jobs: createJobQueue(boss, { retryDelay: 1, retryBackoff: false }) };
    const [run] = await startMaterialization({ ctx: queued, input: { project: PROJECT, ...WINDOW } });
    if (!run) throw new Error("no run");
    const done = await waitFor(
      "the run to end",
      () => row(run.id),
      (r) => isTerminal(r.status),
    );
    expect(done).toMatchObject({ status: "succeeded", attempts: 1, rowsRead: DRIVERS, rowsWritten: DRIVERS });
    expect((await rangesOf(run.id)).map((r) => r.status)).toEqual(["succeeded", "succeeded", "succeeded"]);
    expect([...wroteBy.keys()].sort()).toEqual(["worker-a", "worker-b"]);
    expect([...wroteBy.values()].reduce((a, b) => a + b, 0)).toBe(DRIVERS);
    expect(await onlineDrivers(ctx, ALL)).toEqual(ALL.map(expected));
    expect(await watermark()).toEqual(WINDOW.endTs);
    for (const w of workers.splice(0)) await w.stop();
  });

  it("retakes the range of a worker killed mid-range, and the run succeeds in its first attempt", async () => {
    child = await startChildWorker();
    const run = await queuedRun();
    let killed = false;
    let killing: Promise<void> | undefined;
    const mismatches: string[] = [];
    const killChildMidRange = async () => {
      await waitFor(
        "the child worker to write part of a range",
        () => rangesOf(run.id),
        (rs) => rs.some((r) => r.status === "running" && r.rowsRead > 0),
      );
      const proc = child;
      if (!proc) return;
      proc.kill("SIGKILL");
      await once(proc, "exit");
      child = undefined;
      killed = true;
    };
    // The coordinator (this process) waits, before its first writes, for the child to be writing a
    // range, then kills it.
    const coordinator: Ctx = {
      ...ctx,
      jobs: createJobQueue(boss, { retryDelay: 1, retryBackoff: false }),
      online: withWrites(ctx.online, async () => {
        killing ??= killChildMidRange();
        await killing;
        await checkProgressSums(run.id, mismatches);
      }),
    };
    const done = await runMaterialization(coordinator, run.id, {
      batchSize: 5,
      splitRows: 1,
      maxRanges: 3,
      heartbeatTimeoutSeconds: TIMEOUT_S,
    });
    expect(killed).toBe(true);
    expect(done).toMatchObject(SUCCEEDED_FIRST_TIME);
    const ranges = await rangesOf(run.id);
    expect(ranges.map((r) => r.status)).toEqual(["succeeded", "succeeded", "succeeded"]);
    // exactly one range was claimed twice: the dead worker's, retaken after its heartbeat went stale
    expect(ranges.map((r) => r.attempts).sort()).toEqual([1, 1, 2]);
    expect(ranges.reduce((n, r) => n + r.rowsWritten, 0)).toBe(DRIVERS);
    // while it ran, the run's progress never counted the dead claim's rows twice
    expect(mismatches).toEqual([]);
    expect(await onlineDrivers(ctx, ALL)).toEqual(ALL.map(expected));
    expect(await watermark()).toEqual(WINDOW.endTs);
  }, 60_000);
});

describe("a split run whose coordinator is killed", () => {
  splitRunsInWorkers();

  it("is swept and retried as a whole, as before: a new attempt plans new ranges, the old ones are stopped", async () => {
    child = await startChildWorker();
    const queued = { ...ctx, jobs: createJobQueue(boss, { retryDelay: 1, retryBackoff: false }) };
    const [run] = await startMaterialization({ ctx: queued, input: { project: PROJECT, ...WINDOW } });
    if (!run) throw new Error("no run");
    // the child claimed the run, planned its ranges and is writing one
    await waitFor(
      "the child to coordinate and write",
      () => row(run.id),
      (r) => r.rowsRead > 0,
    );
    child.kill("SIGKILL");
    await once(child, "exit");
    child = undefined;
    expect(await rangesOf(run.id)).toHaveLength(3);

    const sweeper = startRunSweeper({ db: t.db, boss, timeoutSeconds: TIMEOUT_S, intervalMs: 250 });
    try {
      const swept = await waitFor(
        "the sweep",
        () => row(run.id),
        (r) => r.status !== "running",
      );
      expect(swept).toMatchObject({ status: "retrying", attempts: 1 });
      expect(await watermark()).toBeNull();
      workers.push(
        await startMaterializationWorker({
          boss,
          ctxFor: () => queued,
          concurrency: 2,
          batchSize: 5,
          heartbeatTimeoutSeconds: TIMEOUT_S,
        }),
      );
      const done = await waitFor(
        "the retry",
        () => row(run.id),
        (r) => isTerminal(r.status),
      );
      expect(done).toMatchObject({
        status: "succeeded",
        attempts: 2,
        rowsRead: DRIVERS,
        rowsWritten: DRIVERS,
      });
    } finally {
      await sweeper.stop();
      for (const w of workers.splice(0)) await w.stop();
    }
    const ranges = await rangesOf(run.id);
    expect(ranges.filter((r) => r.runAttempt === 2).map((r) => r.status)).toEqual([
      "succeeded",
      "succeeded",
      "succeeded",
    ]);
    // the dead attempt's ranges were stopped by the new attempt's coordinator
    for (const r of ranges.filter((x) => x.runAttempt === 1))
      expect(["succeeded", "cancelled"]).toContain(r.status);
    expect(await onlineDrivers(ctx, ALL)).toEqual(ALL.map(expected));
    expect(await watermark()).toEqual(WINDOW.endTs);
  }, 60_000);
});

function startChildWorker(): Promise<ChildProcess> {
  return startWorkerProcess({
    url: t.url,
    offlineUrl: t.offlineUrl,
    offline: offlineSettings,
    heartbeatTimeoutS: TIMEOUT_S,
    batchSize: 2,
    writeDelayMs: 300,
  });
}
