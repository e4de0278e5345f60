import { and, eq, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { PROJECT, recordingJobs, seedDriverView, VIEW } from "../../test/helpers/materialization";
import type { Ctx } from "../core/context";
import { auditLog, featureViewSchedules, materializationRuns, scheduleTicks } from "../db/schema";
import { deleteSchedule } from "./delete-schedule";
import { getSchedule, listSchedules } from "./get-schedule";
import { pauseSchedule, resumeSchedule } from "./pause-schedule";
import { fireDueSchedules, SCHEDULE_ACTOR } from "./scheduler";
import { setSchedule } from "./set-schedule";

/** Issue 12, schedules: the operations and one scheduler's ticks (the exactly-once test has two processes). */
let t: TestDb;
let ctx: Ctx;
let jobs: ReturnType<typeof recordingJobs>;
const target = { project: PROJECT, featureView: VIEW };

beforeAll(async () => {
  t = await createTestDb();
  jobs = recordingJobs();
  ctx = testCtx(t, { jobs, actor: { kind: "local", name: "ops" } });
  await seedDriverView(ctx, t);
});

afterAll(async () => {
  await t?.drop();
});

/** Makes the view's schedule due at `at` (as if its instant had come). */
async function dueAt(at: Date) {
  await t.db.update(featureViewSchedules).set({ nextRunAt: at });
}

async function ticks() {
  return t.db.select().from(scheduleTicks).orderBy(scheduleTicks.tickAt);
}

async function scheduleAudit() {
  return t.db
    .select({ action: auditLog.action, objectName: auditLog.objectName, actorName: auditLog.actorName })
    .from(auditLog)
    .where(like(auditLog.action, "schedule.%"))
    .orderBy(auditLog.id);
}

const scheduler = () => ({ ...ctx, actor: SCHEDULE_ACTOR });

describe("refused input: 4xx naming the field, nothing written", () => {
  it.each([
    [{ kind: "cron", cron: "61 * * * *" }, "cron", /minute/],
    [{ kind: "cron", cron: "* * * * * *" }, "cron", /5-field/],
    [{ kind: "cron", cron: "0 0 30 2 *" }, "cron", /never fires/],
    [{ kind: "cron" }, "cron", /required/],
    [{ kind: "cron", cron: "* * * * *", timeZone: "Mars/Olympus_Mons" }, "timeZone", /IANA/],
    [{ kind: "cron", cron: "* * * * *", everyMinutes: 5 }, "everyMinutes", /only for kind every/],
    [{ kind: "every" }, "everyMinutes", /required/],
    [{ kind: "every", everyMinutes: 0 }, "everyMinutes", /./],
    [{ kind: "every", everyMinutes: 1441 }, "everyMinutes", /./],
    [{ kind: "every", everyMinutes: 5, timeZone: "Europe/Paris" }, "timeZone", /only for kind cron/],
  ] as const)("%j", async (rule, field, message) => {
    const e = await setSchedule({ ctx, input: { ...target, ...rule } }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "INVALID", field });
    expect((e as Error).message).toMatch(message);
    expect(await t.db.select().from(featureViewSchedules)).toEqual([]);
  });

  it("an unknown view is a NotFoundError naming featureView", async () => {
    await expect(
      setSchedule({ ctx, input: { project: PROJECT, featureView: "nope", kind: "every", everyMinutes: 5 } }),
    ).rejects.toMatchObject({ code: "NOT_FOUND", field: "featureView" });
  });
});

describe("setting, pausing, resuming, deleting", () => {
  it("stores the rule with its next run, lists it, and audits every change", async () => {
    const before = Date.now();
    const set = await setSchedule({
      ctx,
      input: { ...target, kind: "cron", cron: "0 9 * * *", timeZone: "Europe/Paris" },
    });
    expect(set).toMatchObject({
      featureView: VIEW,
      kind: "cron",
      cron: "0 9 * * *",
      timeZone: "Europe/Paris",
      paused: false,
      description: "0 9 * * * (Europe/Paris)",
      updatedBy: "ops",
    });
    // 09:00 in Paris is 07:00 or 08:00 UTC.
    expect(set.nextRunAt?.getTime()).toBeGreaterThan(before);
    expect([7, 8]).toContain(set.nextRunAt?.getUTCHours());
    expect(set.nextRunAt?.getUTCMinutes()).toBe(0);

    const every = await setSchedule({ ctx, input: { ...target, kind: "every", everyMinutes: 15 } });
    expect(every).toMatchObject({ kind: "every", cron: null, everyMinutes: 15, timeZone: "UTC" });
    expect((every.nextRunAt?.getTime() ?? 0) % (15 * 60_000)).toBe(0);
    expect(await listSchedules({ ctx, input: { project: PROJECT } })).toEqual([every]);

    const paused = await pauseSchedule({ ctx, input: target });
    expect(paused).toMatchObject({ paused: true, nextRunAt: null });
    // Pausing again changes nothing and records nothing.
    await pauseSchedule({ ctx, input: target });
    // A paused schedule is never claimed, however late it is.
    expect(await fireDueSchedules(scheduler(), new Date(Date.now() + 86_400_000))).toEqual([]);

    const resumed = await resumeSchedule({ ctx, input: target });
    expect(resumed.paused).toBe(false);
    expect(resumed.nextRunAt?.getTime()).toBeGreaterThan(Date.now() - 1000);

    expect((await getSchedule({ ctx, input: target })).schedule).toEqual(resumed);
    expect(await deleteSchedule({ ctx, input: target })).toEqual({ deleted: true });
    expect((await getSchedule({ ctx, input: target })).schedule).toBeNull();
    await expect(pauseSchedule({ ctx, input: target })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(deleteSchedule({ ctx, input: target })).rejects.toMatchObject({ code: "NOT_FOUND" });

    expect(await scheduleAudit()).toEqual(
      ["schedule.set", "schedule.set", "schedule.pause", "schedule.resume", "schedule.delete"].map(
        (action) => ({ action, objectName: VIEW, actorName: "ops" }),
      ),
    );
  });
});

describe("ticks", () => {
  it("starts a run as the schedule, skips while it is still going, coalesces missed ticks", async () => {
    await setSchedule({ ctx, input: { ...target, kind: "every", everyMinutes: 1 } });
    jobs.runIds.length = 0;

    // Due an hour ago: the sixty missed instants make one tick, and the next run is after now.
    const now = new Date();
    const hourAgo = new Date(Math.floor(now.getTime() / 60_000) * 60_000 - 3_600_000);
    await dueAt(hourAgo);
    const [first, ...more] = await fireDueSchedules(scheduler(), now);
    expect(more).toEqual([]);
    expect(first).toMatchObject({ featureView: VIEW, tickAt: hourAgo, outcome: "started", reason: "" });
    const [run] = await t.db
      .select()
      .from(materializationRuns)
      .where(eq(materializationRuns.id, first?.runId ?? ""));
    expect(run).toMatchObject({ kind: "incremental", status: "queued", triggeredBy: "schedule", endTs: now });
    // The job is sent once the run is committed.
    expect(jobs.runIds).toEqual([run?.id]);
    const next = (await getSchedule({ ctx, input: target })).schedule?.nextRunAt;
    expect(next?.getTime()).toBe(Math.floor(now.getTime() / 60_000) * 60_000 + 60_000);
    // Not due yet: nothing.
    expect(await fireDueSchedules(scheduler(), now)).toEqual([]);

    // The next tick comes while the run is still queued: skipped, naming it; no new run.
    const later = new Date((next?.getTime() ?? 0) + 1_000);
    const [skipped] = await fireDueSchedules(scheduler(), later);
    expect(skipped).toMatchObject({
      tickAt: next,
      outcome: "skipped",
      runId: run?.id,
      reason: `the previous run ${run?.id} is still queued`,
    });
    expect(jobs.runIds).toHaveLength(1);

    // Running counts as going too.
    await t.db
      .update(materializationRuns)
      .set({ status: "running" })
      .where(eq(materializationRuns.id, run?.id ?? ""));
    const third = new Date(later.getTime() + 60_000);
    const [alsoSkipped] = await fireDueSchedules(scheduler(), third);
    expect(alsoSkipped?.reason).toBe(`the previous run ${run?.id} is still running`);

    // Once it has ended, the next tick starts a run again.
    await t.db
      .update(materializationRuns)
      .set({ status: "succeeded" })
      .where(eq(materializationRuns.id, run?.id ?? ""));
    const fourth = new Date(third.getTime() + 60_000);
    const [again] = await fireDueSchedules(scheduler(), fourth);
    expect(again?.outcome).toBe("started");
    expect(again?.runId).not.toBe(run?.id);

    const rows = await ticks();
    expect(rows.map((r) => r.outcome)).toEqual(["started", "skipped", "skipped", "started"]);
    expect(new Set(rows.map((r) => r.tickAt.getTime())).size).toBe(4);
    // The scheduler's runs are audited like any start, by the system actor "schedule".
    const starts = await t.db
      .select({ actorName: auditLog.actorName })
      .from(auditLog)
      .where(and(eq(auditLog.action, "materialization.start"), eq(auditLog.objectName, VIEW)));
    expect(starts).toEqual([{ actorName: "schedule" }, { actorName: "schedule" }]);
  });

  it("a schedule another process holds is skipped, not waited for, and fires once it is free", async () => {
    await t.db.update(materializationRuns).set({ status: "succeeded" });
    await t.db.delete(scheduleTicks);
    const now = new Date();
    const due = new Date(Math.floor(now.getTime() / 60_000) * 60_000 - 60_000);
    await dueAt(due);
    // Another scheduler's open transaction holds the row, as step 1 of a claim does.
    const other = await t.pool.connect();
    try {
      await other.query("begin");
      await other.query("select 1 from feature_view_schedules for update");
      expect(await fireDueSchedules(scheduler(), now)).toEqual([]);
    } finally {
      await other.query("rollback");
      other.release();
    }
    const [tick, ...more] = await fireDueSchedules(scheduler(), now);
    expect(more).toEqual([]);
    expect(tick).toMatchObject({ tickAt: due, outcome: "started" });
  });

  it("an instant already recorded (fired elsewhere) starts nothing and only moves the next run", async () => {
    await t.db.update(materializationRuns).set({ status: "succeeded" });
    await t.db.delete(scheduleTicks);
    const runsBefore = (await t.db.select().from(materializationRuns)).length;
    const now = new Date();
    const due = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
    await dueAt(due);
    const [view] = await t.db.select().from(featureViewSchedules);
    await t.db.insert(scheduleTicks).values({
      featureViewId: view?.featureViewId ?? "",
      projectId: view?.projectId ?? "",
      tickAt: due,
      outcome: "started",
    });
    expect(await fireDueSchedules(scheduler(), now)).toEqual([]);
    expect(await ticks()).toHaveLength(1);
    expect(await t.db.select().from(materializationRuns)).toHaveLength(runsBefore);
    expect((await getSchedule({ ctx, input: target })).schedule?.nextRunAt?.getTime()).toBeGreaterThan(
      now.getTime(),
    );
  });
});
