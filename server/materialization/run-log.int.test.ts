import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { insertDriverRows, PROJECT, recordingJobs, seedDriverView } from "../../test/helpers/materialization";
import type { Ctx } from "../core/context";
import { cancelRun } from "./cancel-run";
import { getRunLog } from "./get-run-log";
import { batchNoted, openRunLog, RUN_LOG_CAP } from "./run-log";
import { runMaterialization } from "./run-materialization";
import { startMaterialization } from "./start-materialization";

let t: TestDb;
let ctx: Ctx;

const at = (hhmm: string) => new Date(`2026-01-01T${hhmm}:00Z`);

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t, { jobs: recordingJobs() });
  await seedDriverView(ctx, t);
  await insertDriverRows(
    t,
    [1, 2, 3, 4].map((d) => [d, 0.1 * d, d, at("09:00").toISOString(), null]),
  );
});

afterAll(async () => {
  await t?.drop();
});

async function newRun(): Promise<string> {
  const [run] = await startMaterialization({
    ctx,
    input: { project: PROJECT, startTs: at("07:00"), endTs: at("10:30") },
  });
  if (!run) throw new Error("no run started");
  return run.id;
}

const logOf = (runId: string) => getRunLog({ ctx, input: { project: PROJECT, runId } });

describe("a run's log", () => {
  it("holds the window at claim, each batch and the totals, in order", async () => {
    const id = await newRun();
    await runMaterialization(ctx, id, { batchSize: 1 });
    const log = await logOf(id);
    expect(log.map((e) => e.step)).toEqual(["claim", "batch", "batch", "batch", "batch", "success"]);
    expect(log[0]?.message).toBe(
      "attempt 1 of 3: range run over 2026-01-01 07:00:00 UTC → 2026-01-01 10:30:00 UTC",
    );
    expect(log[0]?.data).toMatchObject({ attempt: 1, kind: "range", startTs: "2026-01-01T07:00:00.000Z" });
    expect(log[3]).toMatchObject({ level: "info", message: "batch 3: read 1 rows, wrote 1" });
    expect(log[3]?.data).toMatchObject({ batch: 3, totalRead: 3, totalWritten: 3 });
    expect(log[5]?.data).toMatchObject({ rowsRead: 4, rowsWritten: 4, batches: 4 });
    expect(log[5]?.message).toMatch(/^succeeded: read 4 rows, wrote 4 in 4 batches/);
    const seqs = log.map((e) => e.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
  });

  it("a failing attempt logs its safe error and the retry; the retry logs its own claim and success", async () => {
    const id = await newRun();
    await t.offlineSql(PROJECT, "alter table driver_stats rename to driver_stats_moved");
    try {
      await expect(runMaterialization(ctx, id)).rejects.toThrow(/does not exist/);
    } finally {
      await t.offlineSql(PROJECT, "alter table driver_stats_moved rename to driver_stats");
    }
    await runMaterialization(ctx, id);
    const log = await logOf(id);
    expect(log.map((e) => [e.level, e.step])).toEqual([
      ["info", "claim"],
      ["error", "error"],
      ["warn", "retry"],
      ["info", "claim"],
      ["info", "batch"],
      ["info", "success"],
    ]);
    expect(log[1]?.message).toBe(
      'attempt 1 failed: reading source "driver_stats_source": relation "proj.driver_stats" does not exist',
    );
    expect(log[1]?.message).not.toMatch(/select/i);
    expect(log[2]?.message).toMatch(/^will retry: attempt 2 of 3/);
    expect(log[3]?.message).toMatch(/^attempt 2 of 3:/);
  });

  it("a failed last attempt says no attempt is left", async () => {
    const id = await newRun();
    await t.offlineSql(PROJECT, "alter table driver_stats rename to driver_stats_moved");
    try {
      await expect(runMaterialization(ctx, id, { lastAttempt: true })).rejects.toThrow();
    } finally {
      await t.offlineSql(PROJECT, "alter table driver_stats_moved rename to driver_stats");
    }
    const log = await logOf(id);
    expect(log.map((e) => e.step)).toEqual(["claim", "error", "failed"]);
    expect(log[2]).toMatchObject({ level: "error", message: "no attempt left (1 of 3): the run failed" });
  });

  it("a cancel is logged with who cancelled", async () => {
    const id = await newRun();
    await cancelRun({ ctx, input: { project: PROJECT, runId: id } });
    const log = await logOf(id);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ level: "warn", step: "cancelled" });
    expect(log[0]?.message).toMatch(/^cancelled by .+ while queued$/);
  });

  it("is not found for a run of no project of the caller's", async () => {
    await expect(logOf(randomUUID())).rejects.toThrow(/runId: materialization run .* not found/);
  });
});

describe("the log's bounds", () => {
  it("notes a writer's first ten batches, then powers of two", () => {
    const noted = Array.from({ length: 300 }, (_, i) => i + 1).filter(batchNoted);
    expect(noted).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 16, 32, 64, 128, 256]);
  });

  it("stops noting batches at the cap, across writers, but still writes milestones", async () => {
    const id = await newRun();
    // 30 writers (say key ranges) of 20 batches each would note 30 x 11 = 330 batches.
    for (let w = 0; w < 30; w++) {
      const writer = openRunLog(ctx, id, { range: `range ${w + 1} of 30` });
      for (let b = 0; b < 20; b++) {
        writer.batch(100, 100);
        await writer.flush();
      }
    }
    const last = openRunLog(ctx, id);
    last.note({ level: "info", step: "success", message: "done" });
    await last.flush();
    const log = await logOf(id);
    expect(log.filter((e) => e.step === "batch")).toHaveLength(RUN_LOG_CAP);
    expect(log).toHaveLength(RUN_LOG_CAP + 1);
    expect(log.at(-1)?.step).toBe("success");
  });

  it("a log write that fails is dropped, never thrown", async () => {
    // No such run: the foreign key refuses the insert.
    const orphan = openRunLog(ctx, randomUUID());
    orphan.note({ level: "info", step: "claim", message: "x" });
    await expect(orphan.flush()).resolves.toBeUndefined();
  });
});
