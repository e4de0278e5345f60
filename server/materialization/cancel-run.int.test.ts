import { setTimeout as sleep } from "node:timers/promises";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import {
  insertDriverRows,
  PROJECT,
  recordingJobs,
  seedDriverView,
  startTestQueue,
  type TestQueue,
  VIEW,
} from "../../test/helpers/materialization";
import type { Ctx } from "../core/context";
import { auditLog, materializationRuns } from "../db/schema";
import { ensureProject, getFeatureView } from "../registry";
import { cancelRun } from "./cancel-run";
import { getRun } from "./get-run";
import { createJobQueue, MATERIALIZE_JOB } from "./queue";
import { runMaterialization } from "./run-materialization";
import type { Run } from "./run-row";
import { startMaterialization } from "./start-materialization";

let t: TestDb;
let ctx: Ctx;
let jobs: ReturnType<typeof recordingJobs>;

const at = (hhmm: string) => new Date(`2026-01-01T${hhmm}:00Z`);

beforeAll(async () => {
  t = await createTestDb();
  jobs = recordingJobs();
  ctx = testCtx(t, { jobs });
  await seedDriverView(ctx, t);
  await insertDriverRows(t, [
    [1, 0.1, 10, at("08:00").toISOString(), null],
    [2, 0.2, 20, at("09:00").toISOString(), null],
    [3, 0.3, 30, at("10:00").toISOString(), null],
  ]);
  await ensureProject({ ctx, input: { name: "other" } });
});

afterAll(async () => {
  await t?.drop();
});

async function queuedRun(c: Ctx = ctx): Promise<Run> {
  const [run] = await startMaterialization({
    ctx: c,
    input: { project: PROJECT, featureViews: [VIEW], startTs: at("00:00"), endTs: at("12:00") },
  });
  if (!run) throw new Error("no run started");
  return run;
}

async function watermark(): Promise<Date | null> {
  return (await getFeatureView({ ctx, input: { project: PROJECT, name: VIEW } })).materializedUntil;
}

describe("cancelRun", () => {
  it("cancels a queued run, cancels its job and audits who did it", async () => {
    const run = await queuedRun();
    const operator: Ctx = { ...ctx, actor: { kind: "local", name: "ops" } };
    const done = await cancelRun({ ctx: operator, input: { project: PROJECT, runId: run.id } });
    expect(done).toMatchObject({
      id: run.id,
      status: "cancelled",
      error: "cancelled by ops",
      project: PROJECT,
    });
    expect(done.finishedAt).toBeInstanceOf(Date);
    expect(jobs.cancelledIds).toContain(run.id);
    const entries = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "materialization.cancel"), eq(auditLog.actorName, "ops")));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      project: PROJECT,
      objectType: "feature_view",
      objectName: VIEW,
      before: { runId: run.id, status: "queued" },
      after: { runId: run.id, status: "cancelled" },
    });
    // A job delivered after the cancel leaves the run alone.
    expect((await runMaterialization(ctx, run.id)).status).toBe("cancelled");
    expect(await watermark()).toBeNull();
  });

  it("refuses a run that already finished, naming its status, and audits nothing", async () => {
    const run = await queuedRun();
    await runMaterialization(ctx, run.id);
    const cancel = cancelRun({ ctx, input: { project: PROJECT, runId: run.id } });
    await expect(cancel).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining("succeeded"),
    });
    expect((await getRun({ ctx, input: { project: PROJECT, runId: run.id } })).status).toBe("succeeded");

    const twice = await queuedRun();
    await cancelRun({ ctx, input: { project: PROJECT, runId: twice.id } });
    await expect(cancelRun({ ctx, input: { project: PROJECT, runId: twice.id } })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining("cancelled"),
    });
    const audits = await t.db.select().from(auditLog).where(eq(auditLog.action, "materialization.cancel"));
    expect(audits.filter((a) => JSON.stringify(a.after).includes(twice.id))).toHaveLength(1);
  });

  it("reports an unknown run, and a run of another project, as not found", async () => {
    const unknown = cancelRun({
      ctx,
      input: { project: PROJECT, runId: "00000000-0000-4000-8000-000000000000" },
    });
    await expect(unknown).rejects.toMatchObject({ code: "NOT_FOUND", field: "runId" });
    const run = await queuedRun();
    await expect(cancelRun({ ctx, input: { project: "other", runId: run.id } })).rejects.toMatchObject({
      code: "NOT_FOUND",
      field: "runId",
    });
    expect((await getRun({ ctx, input: { project: PROJECT, runId: run.id } })).status).toBe("queued");
  });

  it("needs jobs.run: an editor is refused, an operator key may cancel", async () => {
    const run = await queuedRun();
    const [p] = await t.db.select().from(materializationRuns).where(eq(materializationRuns.id, run.id));
    const projectId = p?.projectId ?? "";
    const key = (role: "editor" | "operator"): Ctx => ({
      ...ctx,
      actor: { kind: "api_key", id: `key_${role}`, name: `key_${role}`, projectId, role },
    });
    await expect(
      cancelRun({ ctx: key("editor"), input: { project: PROJECT, runId: run.id } }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(
      cancelRun({
        ctx: { ...ctx, actor: { kind: "anonymous" } },
        input: { project: PROJECT, runId: run.id },
      }),
    ).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    const done = await cancelRun({ ctx: key("operator"), input: { project: PROJECT, runId: run.id } });
    expect(done).toMatchObject({ status: "cancelled", error: "cancelled by api_key:key_operator" });
  });

  it("stops a running run at its next batch boundary without moving the watermark", async () => {
    const before = await watermark();
    const run = await queuedRun();
    let batches = 0;
    // The online store cancels the run while its first batch is written.
    const cancelling: Ctx = {
      ...ctx,
      online: {
        ...ctx.online,
        write: async (project, view, rows) => {
          if (++batches === 1) await cancelRun({ ctx, input: { project: PROJECT, runId: run.id } });
          return ctx.online.write(project, view, rows);
        },
      },
    };
    // One write at a time, so the boundary is the first batch's (with more in flight, the writes
    // already sent finish first: run-materialization.int.test.ts).
    const done = await runMaterialization(cancelling, run.id, { batchSize: 1, writesInFlight: 1 });
    expect(batches).toBe(1);
    expect(done).toMatchObject({ status: "cancelled", rowsRead: 0 });
    expect(await watermark()).toEqual(before);
  });
});

describe("cancelRun on the real queue", () => {
  let queue: TestQueue;
  let queued: Ctx;
  const ROWS = 20_000;

  beforeAll(async () => {
    const worker = testCtx(t, { actor: { kind: "system", name: "worker" } });
    queue = await startTestQueue(t.url, () => worker, { batchSize: 5 });
    queued = testCtx(t, { jobs: queue.jobs });
    await t.offlineSql(
      PROJECT,
      `insert into driver_stats
       select g, 0.5, g, '2026-01-01T06:00:00Z'::timestamptz, null from generate_series(100, $1) g`,
      [100 + ROWS],
    );
  });

  afterAll(async () => {
    await queue?.stop();
  });

  async function poll(runId: string, until: (r: Run) => boolean): Promise<Run> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const r = await getRun({ ctx, input: { project: PROJECT, runId } });
      if (until(r)) return r;
      if (Date.now() > deadline) throw new Error(`run ${runId} stuck at ${r.status} (${r.rowsRead} rows)`);
      await sleep(50);
    }
  }

  it("cancels a running job: the worker stops, the run stays cancelled, the watermark stays", async () => {
    const before = await watermark();
    const run = await queuedRun(queued);
    await poll(run.id, (r) => r.status === "running" && r.rowsRead > 0);
    await cancelRun({ ctx: queued, input: { project: PROJECT, runId: run.id } });

    // The worker stops once rowsRead no longer moves.
    let last = -1;
    const stopped = await poll(run.id, (r) => {
      const still = r.rowsRead === last;
      last = r.rowsRead;
      return still;
    });
    await sleep(300);
    const after = await getRun({ ctx, input: { project: PROJECT, runId: run.id } });
    expect(after).toMatchObject({ status: "cancelled", rowsRead: stopped.rowsRead });
    expect(after.rowsRead).toBeLessThan(ROWS);
    expect(await watermark()).toEqual(before);
    const { rows } = await t.pool.query("select state from pgboss.job where id = $1", [run.id]);
    expect(rows[0]?.state).toBe("cancelled");
  });

  it("cancels a run waiting for its retry: the row and its job, so no attempt follows", async () => {
    // A long retry delay keeps the run between attempts for as long as the test needs.
    const patient: Ctx = {
      ...queued,
      jobs: createJobQueue(queue.boss, { retryDelay: 300, retryBackoff: false }),
    };
    await t.offlineSql(PROJECT, "alter table driver_stats rename to driver_stats_gone");
    let restored = false;
    try {
      const run = await queuedRun(patient);
      const waiting = await poll(run.id, (r) => r.status !== "queued" && r.status !== "running");
      expect(waiting).toMatchObject({ status: "retrying", attempts: 1 });
      expect(waiting.error).toMatch(/relation "proj\.driver_stats" does not exist/);
      // The row is written before the handler throws; pg-boss marks the job for retry just after.
      await vi.waitFor(
        async () => expect((await queue.boss.getJobById(MATERIALIZE_JOB, run.id))?.state).toBe("retry"),
        { timeout: 30_000, interval: 50 },
      );

      const done = await cancelRun({ ctx: patient, input: { project: PROJECT, runId: run.id } });
      expect(done).toMatchObject({ status: "cancelled", attempts: 1, error: "cancelled by test" });
      expect((await queue.boss.getJobById(MATERIALIZE_JOB, run.id))?.state).toBe("cancelled");
      // Were the job delivered after all, the run stays cancelled.
      await t.offlineSql(PROJECT, "alter table driver_stats_gone rename to driver_stats");
      restored = true;
      expect(await runMaterialization(ctx, run.id)).toMatchObject({ status: "cancelled", attempts: 1 });
    } finally {
      if (!restored) await t.offlineSql(PROJECT, "alter table driver_stats_gone rename to driver_stats");
    }
  });
});
