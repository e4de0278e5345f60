import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { seedBasics } from "../../test/fixtures/registry";
import { recordingJobs } from "../../test/helpers/materialization";
import type { Ctx } from "../core/context";
import { auditLog, transformationRuns } from "../db/schema";
import { createTransformation } from "./registry";
import {
  backfillTransformationOp,
  cancelTransformationRunOp,
  executeTransformationRunOp,
  retryTransformationRunOp,
  runTransformationOp,
} from "./runs";
import {
  startTransformationSweeper,
  sweepTransformationRuns,
  transformationWorkerStoppedMessage,
} from "./sweep";

/** Heartbeats, the sweeper of runs whose worker died, and retry as a new run. */
let t: TestDb;
let ctx: Ctx;
const P = "proj";
const TIMEOUT_S = 5;

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t, { jobs: recordingJobs(), actor: { kind: "local", name: "ops" } });
  await seedBasics(ctx, t);
  await t.offlineSql(
    P,
    "insert into driver_stats (driver_id, event_timestamp) values (1, '2026-01-01T00:00:00Z'), (2, '2026-01-02T00:00:00Z')",
  );
  for (const name of ["tx_a", "tx_b"])
    await createTransformation({
      ctx,
      input: {
        project: P,
        spec: {
          name,
          sql: "select driver_id, event_timestamp from driver_stats_source",
          eventTimestampColumn: "event_timestamp",
        },
      },
    });
});
afterAll(async () => {
  await t?.drop();
});

const runRow = async (id: string) =>
  (await t.db.select().from(transformationRuns).where(eq(transformationRuns.id, id)))[0];

describe("heartbeats and the sweeper", () => {
  it("a run marks its heartbeat when it starts; a run beating recently is left alone", async () => {
    const run = await runTransformationOp.call({ ctx, input: { project: P, name: "tx_a" } });
    const done = await executeTransformationRunOp.call({
      ctx,
      input: { runId: run.id, heartbeatTimeoutSeconds: TIMEOUT_S },
    });
    expect(done.status).toBe("succeeded");
    expect((await runRow(run.id))?.heartbeatAt).toBeInstanceOf(Date);

    // Running with a fresh beat: a sweep changes nothing.
    const live = await runTransformationOp.call({ ctx, input: { project: P, name: "tx_b", mode: "full" } });
    await t.db
      .update(transformationRuns)
      .set({ status: "running", startedAt: sql`now()`, heartbeatAt: sql`now()` })
      .where(eq(transformationRuns.id, live.id));
    expect(await sweepTransformationRuns(t.db, undefined, TIMEOUT_S)).toEqual([]);
    expect((await runRow(live.id))?.status).toBe("running");
  });

  it("a running run whose worker stopped beating is failed by a sweeper pass, freeing the next run", async () => {
    const [stale] = await t.db
      .update(transformationRuns)
      .set({ heartbeatAt: sql`now() - interval '1 minute'` })
      .where(eq(transformationRuns.status, "running"))
      .returning();
    // While it is "running", the transformation refuses a new run.
    await expect(
      runTransformationOp.call({ ctx, input: { project: P, name: "tx_b" } }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
    });
    const sweeper = startTransformationSweeper({ db: t.db, timeoutSeconds: TIMEOUT_S, intervalMs: 60_000 });
    try {
      expect(await sweeper.sweep()).toEqual([stale?.id]);
    } finally {
      await sweeper.stop();
    }
    expect(await runRow(stale?.id ?? "")).toMatchObject({
      status: "failed",
      error: transformationWorkerStoppedMessage(TIMEOUT_S),
    });
    expect(transformationWorkerStoppedMessage(TIMEOUT_S)).toMatch(/^worker stopped/);
    // A second pass (another process) finds nothing.
    expect(await sweepTransformationRuns(t.db, undefined, TIMEOUT_S)).toEqual([]);
  });
});

describe("retry as a new run", () => {
  it("starts a new run with the failed run's mode and window, audited as transformation.retry", async () => {
    const [failed] = await t.db
      .select()
      .from(transformationRuns)
      .where(eq(transformationRuns.status, "failed"));
    const retried = await retryTransformationRunOp.call({
      ctx,
      input: { project: P, runId: failed?.id ?? "" },
    });
    expect(retried.id).not.toBe(failed?.id);
    expect(retried).toMatchObject({
      transformation: "tx_b",
      status: "queued",
      mode: failed?.mode,
      startTs: failed?.startTs,
      endTs: failed?.endTs,
    });
    const [entry] = await t.db.select().from(auditLog).where(eq(auditLog.action, "transformation.retry"));
    expect(entry?.after).toMatchObject({ runId: retried.id, retryOf: failed?.id });

    // A queued run is no retry's business; a cancelled one is.
    await expect(
      retryTransformationRunOp.call({ ctx, input: { project: P, runId: retried.id } }),
    ).rejects.toMatchObject({ code: "CONFLICT", field: "runId" });
    await cancelTransformationRunOp.call({ ctx, input: { project: P, runId: retried.id } });
    const again = await retryTransformationRunOp.call({ ctx, input: { project: P, runId: retried.id } });
    expect(again).toMatchObject({ status: "queued", mode: failed?.mode });
  });

  it("a succeeded run is a 409; a backfill keeps its window", async () => {
    const [ok] = await t.db
      .select()
      .from(transformationRuns)
      .where(eq(transformationRuns.status, "succeeded"));
    await expect(
      retryTransformationRunOp.call({ ctx, input: { project: P, runId: ok?.id ?? "" } }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    const start = new Date("2026-01-01T00:00:00Z");
    const end = new Date("2026-01-02T00:00:00Z");
    const bf = await backfillTransformationOp.call({ ctx, input: { project: P, name: "tx_a", start, end } });
    await cancelTransformationRunOp.call({ ctx, input: { project: P, runId: bf.id } });
    const re = await retryTransformationRunOp.call({ ctx, input: { project: P, runId: bf.id } });
    expect(re).toMatchObject({ mode: "backfill", startTs: start, endTs: end });
  });
});
