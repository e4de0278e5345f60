import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import {
  insertDriverRows,
  onlineDrivers,
  PROJECT,
  seedDriverView,
  startTestQueue,
  type TestQueue,
  VIEW,
} from "../../test/helpers/materialization";
import type { Ctx } from "../core/context";
import { dataSources, sourceProbes } from "../db/schema";
import { getFeatureView, requireProject } from "../registry";
import { startMaterialization } from "./start-materialization";
import { waitForRuns } from "./wait-for-runs";

let t: TestDb;
let ctx: Ctx;
let queue: TestQueue;

const at = (hhmm: string) => new Date(`2026-01-01T${hhmm}:00Z`);

beforeAll(async () => {
  t = await createTestDb();
  const worker = testCtx(t, { actor: { kind: "system", name: "worker" } });
  queue = await startTestQueue(t.url, () => worker);
  ctx = testCtx(t, { jobs: queue.jobs });
  await seedDriverView(ctx, t);
  await insertDriverRows(t, [
    [1, 0.1, 10, at("08:00").toISOString(), null],
    [1, 0.2, 20, at("09:00").toISOString(), null],
    [2, 0.3, 30, at("08:30").toISOString(), null],
  ]);
});

afterAll(async () => {
  await queue?.stop();
  await t?.drop();
});

async function jobCount(runId: string): Promise<number> {
  const { rows } = await t.pool.query("select count(*)::int as n from pgboss.job where id = $1", [runId]);
  return rows[0]?.n ?? 0;
}

describe("materialization queue", () => {
  it("runs an enqueued run on the worker into the online store", async () => {
    const runs = await startMaterialization({
      ctx,
      input: { project: PROJECT, featureViews: [VIEW], startTs: at("00:00"), endTs: at("12:00") },
    });
    const seen: string[] = [];
    const [done] = await waitForRuns(
      ctx,
      runs.map((r) => r.id),
      (rs) => seen.push(rs[0]?.status ?? ""),
      {
        intervalMs: 100,
        timeoutMs: 20_000,
      },
    );
    expect(done).toMatchObject({ status: "succeeded", rowsRead: 2, rowsWritten: 2, attempts: 1 });
    expect(seen.at(-1)).toBe("succeeded");
    expect(await onlineDrivers(ctx, [1, 2])).toEqual([
      { conv_rate: 0.2, trips: 20, eventTs: at("09:00").toISOString() },
      { conv_rate: 0.3, trips: 30, eventTs: at("08:30").toISOString() },
    ]);
    const view = await getFeatureView({ ctx, input: { project: PROJECT, name: VIEW } });
    expect(view.materializedUntil).toEqual(at("12:00"));
  });

  it("collapses a double enqueue into one job", async () => {
    const [run] = await startMaterialization({
      ctx,
      input: { project: PROJECT, startTs: at("00:00"), endTs: at("12:00") },
    });
    if (!run) throw new Error("no run");
    await queue.jobs.enqueueMaterialization(run.id);
    expect(await jobCount(run.id)).toBe(1);
    const [done] = await waitForRuns(ctx, [run.id], undefined, { intervalMs: 100, timeoutMs: 20_000 });
    expect(done?.status).toBe("succeeded");
    // Enqueued again after success: still one job, and the run is not redone.
    await queue.jobs.enqueueMaterialization(run.id);
    expect(await jobCount(run.id)).toBe(1);
    const [still] = await waitForRuns(ctx, [run.id], undefined, { intervalMs: 100, timeoutMs: 5_000 });
    expect(still?.attempts).toBe(1);
  });

  it("retries a failed run, and the watermark moves only once it succeeds", async () => {
    const before = (await getFeatureView({ ctx, input: { project: PROJECT, name: VIEW } })).materializedUntil;
    await t.offlineSql(PROJECT, "alter table driver_stats rename to driver_stats_away");
    let restored = false;
    try {
      const [run] = await startMaterialization({
        ctx,
        input: { project: PROJECT, startTs: at("00:00"), endTs: at("13:00") },
      });
      if (!run) throw new Error("no run");
      const [failed] = await waitForRuns(ctx, [run.id], undefined, { intervalMs: 100, timeoutMs: 20_000 });
      expect(failed).toMatchObject({ status: "retrying", attempts: 1 });
      expect(failed?.error).toMatch(/relation "proj\.driver_stats" does not exist/);
      expect(
        (await getFeatureView({ ctx, input: { project: PROJECT, name: VIEW } })).materializedUntil,
      ).toEqual(before);

      await t.offlineSql(PROJECT, "alter table driver_stats_away rename to driver_stats");
      restored = true;
      const [done] = await waitForRuns(ctx, [run.id], undefined, {
        intervalMs: 100,
        timeoutMs: 20_000,
        throughRetries: true,
      });
      expect(done).toMatchObject({ status: "succeeded", error: null });
      // 2 unless a slow machine let the first retry run before the table came back.
      expect(done?.attempts).toBeGreaterThanOrEqual(2);
      expect(
        (await getFeatureView({ ctx, input: { project: PROJECT, name: VIEW } })).materializedUntil,
      ).toEqual(at("13:00"));
    } finally {
      if (!restored) await t.offlineSql(PROJECT, "alter table driver_stats_away rename to driver_stats");
    }
  });

  it("probes a project's sources on the worker when asked", async () => {
    const project = await requireProject(ctx, PROJECT);
    await queue.jobs.enqueueSourceProbe(project.id);
    const probe = await vi.waitFor(
      async () => {
        const [row] = await ctx.db
          .select({ probe: sourceProbes })
          .from(sourceProbes)
          .innerJoin(dataSources, eq(dataSources.id, sourceProbes.sourceId))
          .where(eq(dataSources.projectId, project.id));
        if (!row) throw new Error("no probe yet");
        return row.probe;
      },
      { timeout: 20_000, interval: 100 },
    );
    expect(probe).toMatchObject({ status: "ok", newestEventTs: at("09:00"), rowCount: 3, error: null });
  });
});
