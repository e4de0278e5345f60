import { eq, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { seedBasics } from "../../test/fixtures/registry";
import { recordingJobs } from "../../test/helpers/materialization";
import type { Ctx } from "../core/context";
import {
  auditLog,
  transformationRuns,
  transformationSchedules,
  transformationScheduleTicks,
  transformations,
} from "../db/schema";
import { createTransformation } from "../transformations/registry";
import { fireDueSchedules, SCHEDULE_ACTOR } from "./scheduler";
import {
  deleteTransformationScheduleOp,
  getTransformationScheduleOp,
  listTransformationSchedulesOp,
  pauseTransformationScheduleOp,
  resumeTransformationScheduleOp,
  setTransformationScheduleOp,
  transformationNextRuns,
} from "./transformation-schedules";

/** Schedules of transformations: the same guarantees as a view's (schedules.int.test.ts). */
let t: TestDb;
let ctx: Ctx;
let jobs: ReturnType<typeof recordingJobs>;
const P = "proj";
const TX = "tx_sched";
const target = { project: P, transformation: TX };

beforeAll(async () => {
  t = await createTestDb();
  jobs = recordingJobs();
  ctx = testCtx(t, { jobs, actor: { kind: "local", name: "ops" } });
  await seedBasics(ctx, t);
  await createTransformation({
    ctx,
    input: {
      project: P,
      spec: {
        name: TX,
        sql: "select driver_id, event_timestamp from driver_stats_source",
        eventTimestampColumn: "event_timestamp",
      },
    },
  });
});
afterAll(async () => {
  await t?.drop();
});

const scheduler = () => ({ ...ctx, actor: SCHEDULE_ACTOR });
const dueAt = (at: Date) => t.db.update(transformationSchedules).set({ nextRunAt: at });
const set = (input: object) =>
  setTransformationScheduleOp.call({ ctx, input: { ...target, ...input } as never });

describe("refused input: 4xx naming the field, nothing written", () => {
  it.each([
    [{ kind: "cron", cron: "61 * * * *" }, "cron"],
    [{ kind: "cron", cron: "* * * * *", timeZone: "Mars/Olympus_Mons" }, "timeZone"],
    [{ kind: "every" }, "everyMinutes"],
    [{ kind: "every", everyMinutes: 5, timeZone: "Europe/Paris" }, "timeZone"],
  ] as const)("%j", async (rule, field) => {
    await expect(set(rule)).rejects.toMatchObject({ code: "INVALID", field });
    expect(await t.db.select().from(transformationSchedules)).toEqual([]);
  });

  it("an unknown transformation is a NotFoundError naming transformation", async () => {
    await expect(
      setTransformationScheduleOp.call({
        ctx,
        input: { project: P, transformation: "nope", kind: "every", everyMinutes: 5 },
      }),
    ).rejects.toMatchObject({ code: "NOT_FOUND", field: "transformation" });
  });
});

describe("setting, pausing, resuming, deleting", () => {
  it("stores the rule with its next run, lists it, and audits every change on the transformation", async () => {
    const cron = await set({ kind: "cron", cron: "0 9 * * *", timeZone: "Europe/Paris" });
    expect(cron).toMatchObject({
      transformation: TX,
      description: "0 9 * * * (Europe/Paris)",
      paused: false,
    });
    expect([7, 8]).toContain(cron.nextRunAt?.getUTCHours());
    const every = await set({ kind: "every", everyMinutes: 15 });
    expect((every.nextRunAt?.getTime() ?? 0) % (15 * 60_000)).toBe(0);
    expect(await listTransformationSchedulesOp.call({ ctx, input: { project: P } })).toEqual([every]);
    const [project] = await t.db.select({ id: transformations.projectId }).from(transformations);
    expect(await transformationNextRuns(ctx, project?.id ?? "")).toEqual([every]);

    expect(await pauseTransformationScheduleOp.call({ ctx, input: target })).toMatchObject({
      paused: true,
      nextRunAt: null,
    });
    await pauseTransformationScheduleOp.call({ ctx, input: target });
    expect(await fireDueSchedules(scheduler(), new Date(Date.now() + 86_400_000))).toEqual([]);
    const resumed = await resumeTransformationScheduleOp.call({ ctx, input: target });
    expect(resumed.nextRunAt?.getTime()).toBeGreaterThan(Date.now() - 1000);
    expect((await getTransformationScheduleOp.call({ ctx, input: target })).schedule).toEqual(resumed);
    expect(await deleteTransformationScheduleOp.call({ ctx, input: target })).toEqual({ deleted: true });
    expect((await getTransformationScheduleOp.call({ ctx, input: target })).schedule).toBeNull();
    await expect(deleteTransformationScheduleOp.call({ ctx, input: target })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    const audited = await t.db
      .select({ action: auditLog.action, objectType: auditLog.objectType, objectName: auditLog.objectName })
      .from(auditLog)
      .where(like(auditLog.action, "schedule.%"))
      .orderBy(auditLog.id);
    expect(audited).toEqual(
      ["schedule.set", "schedule.set", "schedule.pause", "schedule.resume", "schedule.delete"].map(
        (action) => ({ action, objectType: "transformation", objectName: TX }),
      ),
    );
  });
});

describe("ticks", () => {
  it("starts a full refresh, then incremental [watermark, tick); skips while going; coalesces", async () => {
    await set({ kind: "every", everyMinutes: 1 });
    jobs.transformationRunIds.length = 0;
    const now = new Date();
    const minute = Math.floor(now.getTime() / 60_000) * 60_000;
    const hourAgo = new Date(minute - 3_600_000);
    await dueAt(hourAgo);
    // No watermark yet: a full refresh. Sixty missed instants make one tick.
    const [first, ...more] = await fireDueSchedules(scheduler(), now);
    expect(more).toEqual([]);
    expect(first).toMatchObject({ transformation: TX, tickAt: hourAgo, outcome: "started" });
    const [run] = await t.db
      .select()
      .from(transformationRuns)
      .where(eq(transformationRuns.id, first?.runId ?? ""));
    expect(run).toMatchObject({ mode: "full", status: "queued", startedBy: "schedule" });
    expect(jobs.transformationRunIds).toEqual([run?.id]);
    const next = (await getTransformationScheduleOp.call({ ctx, input: target })).schedule?.nextRunAt;
    expect(next?.getTime()).toBe(minute + 60_000);
    expect(await fireDueSchedules(scheduler(), now)).toEqual([]);

    // The next tick while that run is queued: skipped, naming it.
    const later = new Date((next?.getTime() ?? 0) + 1_000);
    const [skipped] = await fireDueSchedules(scheduler(), later);
    expect(skipped).toMatchObject({
      outcome: "skipped",
      runId: run?.id,
      reason: `the previous run ${run?.id} is still queued`,
    });
    expect(jobs.transformationRunIds).toHaveLength(1);

    // The full refresh succeeded with a watermark: the next tick runs [watermark, tick) incrementally.
    const watermark = new Date(minute - 30 * 60_000);
    await t.db
      .update(transformationRuns)
      .set({ status: "succeeded" })
      .where(eq(transformationRuns.id, run?.id ?? ""));
    await t.db.update(transformations).set({ computedUntil: watermark });
    const third = new Date(later.getTime() + 60_000);
    const [again] = await fireDueSchedules(scheduler(), third);
    expect(again?.outcome).toBe("started");
    const [inc] = await t.db
      .select()
      .from(transformationRuns)
      .where(eq(transformationRuns.id, again?.runId ?? ""));
    expect(inc).toMatchObject({ mode: "incremental", startTs: watermark, endTs: again?.tickAt });

    const rows = await t.db
      .select()
      .from(transformationScheduleTicks)
      .orderBy(transformationScheduleTicks.tickAt);
    expect(rows.map((r) => r.outcome)).toEqual(["started", "skipped", "started"]);
  });

  it("an instant already recorded (fired elsewhere) starts nothing and only moves the next run", async () => {
    await t.db.update(transformationRuns).set({ status: "succeeded" });
    await t.db.delete(transformationScheduleTicks);
    const runsBefore = (await t.db.select().from(transformationRuns)).length;
    const now = new Date();
    const due = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
    await dueAt(due);
    const [row] = await t.db.select().from(transformationSchedules);
    await t.db.insert(transformationScheduleTicks).values({
      transformationId: row?.transformationId ?? "",
      projectId: row?.projectId ?? "",
      tickAt: due,
      outcome: "started",
    });
    expect(await fireDueSchedules(scheduler(), now)).toEqual([]);
    expect(await t.db.select().from(transformationRuns)).toHaveLength(runsBefore);
    // The unique key refuses a second row for the instant outright.
    await expect(
      t.db.insert(transformationScheduleTicks).values({
        transformationId: row?.transformationId ?? "",
        projectId: row?.projectId ?? "",
        tickAt: due,
        outcome: "skipped",
      }),
    ).rejects.toThrow();
  });
});
