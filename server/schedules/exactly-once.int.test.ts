import type { ChildProcess } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { dropRoles } from "../../test/global-setup";
import { PROJECT, recordingJobs, seedDriverView, VIEW } from "../../test/helpers/materialization";
import { sharedOfflineSettings, startWorkerProcess } from "../../test/helpers/worker-process";
import type { Ctx } from "../core/context";
import { createPool } from "../db/client";
import { featureViews, materializationRuns, scheduleTicks } from "../db/schema";
import { setSchedule } from "./set-schedule";

/**
 * Issue 12's test: two worker processes (each with its materialization worker and its schedules'
 * poller, as `quiver worker` runs them) against one database, and a one-minute schedule. Each
 * tick fires once: one tick row and one run per scheduled minute, and the runs succeed. It waits
 * for real minutes (up to two and a bit), so it runs wherever the int tests run, CI included; it
 * has no skip: when a process cannot start, it fails.
 */
const TICKS = 2;
const POLL_MS = 200;
const DEADLINE_MS = 200_000;

let t: TestDb;
let ctx: Ctx;
let offlineSettings: { secret: string; rolePrefix: string };
const children: ChildProcess[] = [];

beforeAll(async () => {
  t = await createTestDb();
  offlineSettings = sharedOfflineSettings("sc");
  const offline = t.openOffline(offlineSettings);
  ctx = testCtx(t, { offline, jobs: recordingJobs(), actor: { kind: "local", name: "ops" } });
  await seedDriverView(ctx, t);
  await t.offlineSql(
    PROJECT,
    `insert into driver_stats select g, 0.5, g, now() - interval '1 minute', null from generate_series(1, 50) g`,
  );
  await offline.provision(PROJECT);
});

afterAll(async () => {
  for (const c of children) c.kill("SIGKILL");
  await t?.drop();
  const admin = createPool(inject("pgBaseUrl"), 1);
  await dropRoles(admin, offlineSettings.rolePrefix).finally(() => admin.end());
});

describe("a one-minute schedule with two worker processes", () => {
  it(
    "fires each tick once: one tick row and one succeeded run per minute",
    async () => {
      const start = () =>
        startWorkerProcess({
          url: t.url,
          offlineUrl: t.offlineUrl,
          offline: offlineSettings,
          heartbeatTimeoutS: 30,
          batchSize: 100,
          writeDelayMs: 0,
          schedulePollMs: POLL_MS,
        });
      // One after the other: two pg-boss instances creating their queues at once can deadlock.
      children.push(await start());
      children.push(await start());
      await setSchedule({
        ctx,
        input: { project: PROJECT, featureView: VIEW, kind: "every", everyMinutes: 1 },
      });

      // Wait on the rows: TICKS ticks whose runs have ended.
      const deadline = Date.now() + DEADLINE_MS;
      for (;;) {
        const done = await t.db
          .select({ status: materializationRuns.status })
          .from(scheduleTicks)
          .innerJoin(materializationRuns, eq(materializationRuns.id, scheduleTicks.runId));
        if (done.filter((r) => r.status === "succeeded").length >= TICKS) break;
        if (Date.now() > deadline) throw new Error(`after ${DEADLINE_MS} ms: ${JSON.stringify(done)}`);
        await sleep(500);
      }
      for (const c of children) c.kill("SIGKILL");

      const ticks = await t.db.select().from(scheduleTicks).orderBy(scheduleTicks.tickAt);
      expect(ticks.length).toBeGreaterThanOrEqual(TICKS);
      // One row per scheduled instant, each on a minute boundary, a minute apart.
      const instants = ticks.map((r) => r.tickAt.getTime());
      expect(new Set(instants).size).toBe(ticks.length);
      for (const at of instants) expect(at % 60_000).toBe(0);
      for (let i = 1; i < instants.length; i++)
        expect((instants[i] ?? 0) - (instants[i - 1] ?? 0)).toBe(60_000);
      expect(ticks.every((r) => r.outcome === "started" && r.runId)).toBe(true);

      // One run per tick, and no run the schedule started outside a tick.
      const runs = await t.db.select().from(materializationRuns);
      const scheduled = runs.filter((r) => r.triggeredBy === "schedule");
      expect(scheduled.map((r) => r.id).sort()).toEqual(ticks.map((r) => r.runId).sort());
      const ended = await t.db
        .select({ status: materializationRuns.status })
        .from(materializationRuns)
        .where(
          inArray(
            materializationRuns.id,
            ticks.slice(0, TICKS).map((r) => r.runId ?? ""),
          ),
        );
      expect(ended.map((r) => r.status)).toEqual(Array(TICKS).fill("succeeded"));
      // The view is materialized by the schedule alone.
      const [view] = await t.db.select().from(featureViews).where(eq(featureViews.name, VIEW));
      expect(view?.materializedUntil?.getTime()).toBeGreaterThanOrEqual(
        instants[TICKS - 1] ?? Number.POSITIVE_INFINITY,
      );
    },
    DEADLINE_MS + 30_000,
  );
});
