import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { eq, sql } from "drizzle-orm";
import type PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { dropRoles } from "../../test/global-setup";
import { PROJECT, seedDriverView, VIEW } from "../../test/helpers/materialization";
import { sharedOfflineSettings, startWorkerProcess } from "../../test/helpers/worker-process";
import type { Ctx } from "../core/context";
import { createPool } from "../db/client";
import { materializationRuns } from "../db/schema";
import {
  createBoss,
  createJobQueue,
  MATERIALIZE_JOB,
  type MaterializationWorker,
  startMaterializationWorker,
} from "./queue";
import { runMaterialization } from "./run-materialization";
import { isTerminal, loadRuns, type Run } from "./run-row";
import { startMaterialization } from "./start-materialization";
import { type RunSweeper, startRunSweeper, sweepRuns } from "./sweep-runs";

/**
 * Hardening item 5: a run whose worker dies does not stay "running". The first test kills a real
 * worker process with SIGKILL in the middle of a run; the others pin the rules around it.
 */
const ROWS = 400;
const TIMEOUT_S = 5;

let t: TestDb;
let ctx: Ctx;
let boss: PgBoss;
let offlineSettings: { secret: string; rolePrefix: string };
let child: ChildProcess | undefined;
let worker: MaterializationWorker | undefined;
let sweeper: RunSweeper | undefined;

beforeAll(async () => {
  t = await createTestDb();
  // The child reads the source as the same roles as this process: settings of our own, passed on.
  offlineSettings = sharedOfflineSettings("hb");
  const offline = t.openOffline(offlineSettings);
  boss = await createBoss(t.url, { pollingIntervalSeconds: 0.5, max: 2 });
  ctx = testCtx(t, { offline, jobs: createJobQueue(boss, { retryDelay: 1, retryBackoff: false }) });
  await seedDriverView(ctx, t);
  await t.offlineSql(
    PROJECT,
    `insert into driver_stats
     select g, 0.5, g, '2026-01-01T06:00:00Z'::timestamptz, null from generate_series(1, $1) g`,
    [ROWS],
  );
  await offline.provision(PROJECT);
  // Every move of the watermark, as the database saw it.
  await t.pool.query(`
    create table watermark_moves (until timestamptz);
    create function log_watermark() returns trigger language plpgsql as $$
      begin insert into watermark_moves values (new.materialized_until); return new; end $$;
    create trigger watermark_moved after update of materialized_until on feature_views for each row
      when (old.materialized_until is distinct from new.materialized_until) execute function log_watermark();
  `);
});

afterAll(async () => {
  child?.kill("SIGKILL");
  await sweeper?.stop();
  await worker?.stop();
  await boss?.stop({ graceful: true, close: true, timeout: 10_000, wait: true });
  await t?.drop();
  const admin = createPool(inject("pgBaseUrl"), 1);
  await dropRoles(admin, offlineSettings.rolePrefix).finally(() => admin.end());
});

async function row(runId: string): Promise<Run> {
  const [run] = await loadRuns(t.db, [runId]);
  if (!run) throw new Error(`run ${runId} not found`);
  return run;
}

/** Polls the run row until `until` holds (never a fixed sleep: the row says when). */
async function waitForRow(runId: string, until: (r: Run) => boolean, timeoutMs = 30_000): Promise<Run> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await row(runId);
    if (until(r)) return r;
    if (Date.now() > deadline) throw new Error(`run ${runId} stuck: ${r.status}, ${r.rowsRead} rows read`);
    await sleep(50);
  }
}

async function jobState(runId: string): Promise<string | undefined> {
  return (await boss.getJobById(MATERIALIZE_JOB, runId))?.state;
}

/** The sweeper fails the dead attempt's job just after it commits the run row: wait for the job too. */
async function waitForJobState(
  runId: string,
  state: string,
  timeoutMs = 30_000,
): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const current = await jobState(runId);
    if (current === state || Date.now() > deadline) return current;
    await sleep(50);
  }
}

async function watermarkMoves(): Promise<Date[]> {
  const { rows } = await t.pool.query<{ until: Date }>("select until from watermark_moves");
  return rows.map((r) => r.until);
}

async function queueRun(): Promise<Run> {
  const [run] = await startMaterialization({
    ctx,
    input: { project: PROJECT, featureViews: [VIEW], startTs: new Date(0), endTs: new Date("2026-01-02") },
  });
  if (!run) throw new Error("no run");
  return run;
}

function startChildWorker(): Promise<ChildProcess> {
  return startWorkerProcess({
    url: t.url,
    offlineUrl: t.offlineUrl,
    offline: offlineSettings,
    heartbeatTimeoutS: TIMEOUT_S,
    batchSize: 10,
    writeDelayMs: 100,
  });
}

describe("a worker killed in the middle of a run", () => {
  it("leaves a run that is failed for its lost heartbeat, retried from its window, and moves the watermark once", async () => {
    child = await startChildWorker();
    const run = await queueRun();
    const mid = await waitForRow(run.id, (r) => r.status === "running" && r.rowsRead > 0);
    expect(mid.heartbeatAt).toBeInstanceOf(Date);
    child.kill("SIGKILL");
    await once(child, "exit");
    child = undefined;
    // The dead worker's job is still active; nothing else moves until the heartbeat goes stale.
    expect(await jobState(run.id)).toBe("active");

    // A process still alive (a restarted app, another worker) sweeps.
    sweeper = startRunSweeper({ db: t.db, boss, timeoutSeconds: TIMEOUT_S, intervalMs: 250 });
    const swept = await waitForRow(run.id, (r) => r.status !== "running");
    expect(swept).toMatchObject({
      status: "retrying",
      attempts: 1,
      error: `the worker stopped answering (no heartbeat for ${TIMEOUT_S} s)`,
    });
    expect(swept.rowsRead).toBeGreaterThan(0);
    expect(swept.rowsRead).toBeLessThan(ROWS);
    // The job no longer blocks: the queue retries it after its retry delay.
    expect(await waitForJobState(run.id, "retry")).toBe("retry");
    expect(await watermarkMoves()).toEqual([]);

    worker = await startMaterializationWorker({
      boss,
      ctxFor: () => ({ ...ctx, actor: { kind: "system", name: "worker" } }),
      concurrency: 1,
      batchSize: 50,
      heartbeatTimeoutSeconds: TIMEOUT_S,
    });
    const done = await waitForRow(run.id, (r) => isTerminal(r.status));
    expect(done).toMatchObject({
      status: "succeeded",
      attempts: 2,
      error: null,
      rowsRead: ROWS,
      rowsWritten: ROWS,
      startTs: run.startTs,
      endTs: run.endTs,
    });
    expect(await watermarkMoves()).toEqual([new Date("2026-01-02")]);
    await worker.stop();
    worker = undefined;
    await sweeper.stop();
    sweeper = undefined;
  }, 90_000);
});

describe("heartbeats", () => {
  it("a slow batch keeps beating: the sweeper leaves a live run alone", async () => {
    const run = await queueRun();
    let first = true;
    // The first batch takes four timeouts; the timer must keep the run alive meanwhile.
    const slow: Ctx = {
      ...ctx,
      online: {
        ...ctx.online,
        write: async (project, view, rows) => {
          if (first) {
            first = false;
            // The slowness under test, not a wait for an outcome.
            await sleep(4_000);
          }
          return ctx.online.write(project, view, rows);
        },
      },
    };
    const fast = startRunSweeper({ db: t.db, boss, timeoutSeconds: 1, intervalMs: 100 });
    try {
      const done = await runMaterialization(slow, run.id, { heartbeatTimeoutSeconds: 1, batchSize: 100 });
      expect(done).toMatchObject({ status: "succeeded", attempts: 1, rowsRead: ROWS });
    } finally {
      await fast.stop();
    }
  });

  it("a delivery that finds the run alive on another worker waits, and takes it over once its heartbeat stops", async () => {
    const run = await queueRun();
    // Another worker claimed it and beat a moment ago, then died (a restart's redelivery sees this).
    await t.db
      .update(materializationRuns)
      .set({ status: "running", attempts: 1, startedAt: new Date(), heartbeatAt: sql`now()` })
      .where(eq(materializationRuns.id, run.id));
    const done = await runMaterialization(ctx, run.id, { heartbeatTimeoutSeconds: 1, batchSize: 100 });
    expect(done).toMatchObject({ status: "succeeded", attempts: 2 });
  });

  it("the sweeper fails, without retry, a run whose last attempt lost its worker", async () => {
    const run = await queueRun();
    await t.db
      .update(materializationRuns)
      .set({ status: "running", attempts: 3, heartbeatAt: sql`now() - interval '1 hour'` })
      .where(eq(materializationRuns.id, run.id));
    const result = await sweepRuns(t.db, boss, 60);
    expect(result.swept).toContainEqual({ id: run.id, status: "failed" });
    expect(await row(run.id)).toMatchObject({
      status: "failed",
      error: "the worker stopped answering (no heartbeat for 60 s)",
    });
    // A late delivery of its job finds nothing to do.
    expect(await runMaterialization(ctx, run.id, { heartbeatTimeoutSeconds: 1 })).toMatchObject({
      status: "failed",
      attempts: 3,
    });
    // Sweeping again changes nothing (every process sweeps).
    expect((await sweepRuns(t.db, boss, 60)).swept).not.toContainEqual(
      expect.objectContaining({ id: run.id }),
    );
  });

  it("a run waiting for a retry the queue will never deliver is failed, saying so", async () => {
    const run = await queueRun();
    await boss.cancel(MATERIALIZE_JOB, run.id);
    await t.db
      .update(materializationRuns)
      .set({ status: "retrying", attempts: 1, error: 'reading source "s": timed out after 600 s' })
      .where(eq(materializationRuns.id, run.id));
    const result = await sweepRuns(t.db, boss, 60);
    expect(result.orphaned).toContain(run.id);
    expect(await row(run.id)).toMatchObject({
      status: "failed",
      error: 'reading source "s": timed out after 600 s; the queue has no attempt left for it',
    });
  });
});
