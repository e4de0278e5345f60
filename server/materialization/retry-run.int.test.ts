import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
import { auditLog, materializationRuns } from "../db/schema";
import { ensureProject, getFeatureView } from "../registry";
import { getRun } from "./get-run";
import { listRuns } from "./list-runs";
import { retryRun } from "./retry-run";
import { runMaterialization } from "./run-materialization";
import type { Run } from "./run-row";
import { startMaterialization } from "./start-materialization";

/** Hardening item 5: a failed run can be retried (the CLI and the UI call this service). */
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
  ]);
  await ensureProject({ ctx, input: { name: "other" } });
});

afterAll(async () => {
  await t?.drop();
});

async function watermark(): Promise<Date | null> {
  return (await getFeatureView({ ctx, input: { project: PROJECT, name: VIEW } })).materializedUntil;
}

/** A run over [00:00, 12:00] whose last attempt failed: its source table was away. */
async function failedRun(): Promise<Run> {
  const [run] = await startMaterialization({
    ctx,
    input: { project: PROJECT, featureViews: [VIEW], startTs: at("00:00"), endTs: at("12:00") },
  });
  if (!run) throw new Error("no run");
  await t.offlineSql(PROJECT, "alter table driver_stats rename to driver_stats_away");
  try {
    await expect(runMaterialization(ctx, run.id, { lastAttempt: true })).rejects.toThrow();
  } finally {
    await t.offlineSql(PROJECT, "alter table driver_stats_away rename to driver_stats");
  }
  const failed = await getRun({ ctx, input: { project: PROJECT, runId: run.id } });
  expect(failed).toMatchObject({ status: "failed", attempts: 1 });
  return failed;
}

describe("retryRun", () => {
  it("queues a new run over the failed run's window, linked to it, audited; it moves the watermark", async () => {
    const failed = await failedRun();
    expect(await watermark()).toBeNull();
    jobs.runIds.length = 0;
    const operator: Ctx = { ...ctx, actor: { kind: "local", name: "ops" } };
    const retry = await retryRun({ ctx: operator, input: { project: PROJECT, runId: failed.id } });
    expect(retry).toMatchObject({
      status: "queued",
      attempts: 0,
      kind: "range",
      featureView: VIEW,
      project: PROJECT,
      retryOf: failed.id,
      triggeredBy: "ops",
      error: null,
    });
    expect(retry.id).not.toBe(failed.id);
    expect([retry.startTs, retry.endTs]).toEqual([at("00:00"), at("12:00")]);
    expect(jobs.runIds).toEqual([retry.id]);
    // The failed run stays the record of what happened, now pointing at its retry.
    expect(await getRun({ ctx, input: { project: PROJECT, runId: failed.id } })).toMatchObject({
      status: "failed",
      retriedBy: retry.id,
    });
    const [listed] = await listRuns({ ctx, input: { project: PROJECT, limit: 1 } });
    expect(listed).toMatchObject({ id: retry.id, retryOf: failed.id, retriedBy: null });
    const audits = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "materialization.retry"), eq(auditLog.actorName, "ops")));
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({
      project: PROJECT,
      objectType: "feature_view",
      objectName: VIEW,
      before: { runId: failed.id },
      after: { runId: retry.id, kind: "range" },
    });

    const done = await runMaterialization(ctx, retry.id);
    expect(done).toMatchObject({ status: "succeeded", rowsWritten: 2 });
    expect(await watermark()).toEqual(at("12:00"));
    expect(await onlineDrivers(ctx, [1, 2])).toEqual([
      { conv_rate: 0.1, trips: 10, eventTs: at("08:00").toISOString() },
      { conv_rate: 0.2, trips: 20, eventTs: at("09:00").toISOString() },
    ]);
  });

  it("retries a run once: a second retry names the first", async () => {
    const failed = await failedRun();
    const retry = await retryRun({ ctx, input: { project: PROJECT, runId: failed.id } });
    await expect(retryRun({ ctx, input: { project: PROJECT, runId: failed.id } })).rejects.toMatchObject({
      code: "CONFLICT",
      field: "runId",
      message: expect.stringContaining(`already retried by run ${retry.id}`),
    });
  });

  it("refuses a run that has not failed, naming its status", async () => {
    const [queued] = await startMaterialization({
      ctx,
      input: { project: PROJECT, startTs: at("00:00"), endTs: at("01:00") },
    });
    if (!queued) throw new Error("no run");
    const refusal = { code: "CONFLICT", field: "runId" };
    await expect(retryRun({ ctx, input: { project: PROJECT, runId: queued.id } })).rejects.toMatchObject({
      ...refusal,
      message: expect.stringContaining("is queued; only a failed run can be retried"),
    });
    await t.db
      .update(materializationRuns)
      .set({ status: "retrying", attempts: 1 })
      .where(eq(materializationRuns.id, queued.id));
    await expect(retryRun({ ctx, input: { project: PROJECT, runId: queued.id } })).rejects.toMatchObject({
      ...refusal,
      message: expect.stringContaining("is retrying"),
    });
    await runMaterialization(ctx, queued.id);
    await expect(retryRun({ ctx, input: { project: PROJECT, runId: queued.id } })).rejects.toMatchObject({
      ...refusal,
      message: expect.stringContaining("is succeeded"),
    });
  });

  it("reports an unknown run, and a run of another project, as not found", async () => {
    const failed = await failedRun();
    await expect(
      retryRun({ ctx, input: { project: PROJECT, runId: "00000000-0000-4000-8000-000000000000" } }),
    ).rejects.toMatchObject({ code: "NOT_FOUND", field: "runId" });
    await expect(retryRun({ ctx, input: { project: "other", runId: failed.id } })).rejects.toMatchObject({
      code: "NOT_FOUND",
      field: "runId",
    });
  });

  it("needs jobs.run: an editor is refused, an operator key may retry", async () => {
    const failed = await failedRun();
    const [p] = await t.db.select().from(materializationRuns).where(eq(materializationRuns.id, failed.id));
    const key = (role: "editor" | "operator"): Ctx => ({
      ...ctx,
      actor: { kind: "api_key", id: `key_${role}`, name: `key_${role}`, projectId: p?.projectId ?? "", role },
    });
    await expect(
      retryRun({ ctx: key("editor"), input: { project: PROJECT, runId: failed.id } }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    const retry = await retryRun({ ctx: key("operator"), input: { project: PROJECT, runId: failed.id } });
    expect(retry).toMatchObject({ retryOf: failed.id, triggeredBy: "api_key:key_operator" });
  });
});
