import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { seedBasics } from "../../test/fixtures/registry";
import { startTestQueue, type TestQueue } from "../../test/helpers/materialization";
import type { Ctx } from "../core/context";
import { createTransformation, getTransformation } from "./registry";
import { runTransformationOp, waitForTransformationRun } from "./runs";

let t: TestDb;
let q: TestQueue;
let ctx: Ctx;
const P = "proj";

beforeAll(async () => {
  t = await createTestDb();
  const base = testCtx(t);
  await seedBasics(base, t);
  q = await startTestQueue(t.url, () => testCtx(t, { actor: { kind: "system", name: "worker" } }));
  ctx = testCtx(t, { jobs: q.jobs });
  await t.offlineSql(
    P,
    "insert into driver_stats (driver_id, event_timestamp) values (1, '2026-01-01T00:00:00Z'), (0, '2026-01-02T00:00:00Z')",
  );
});
afterAll(async () => {
  await q?.stop();
  await t?.drop();
});

describe("transformation runs on the real queue", () => {
  it("the worker runs a queued run to success and moves the watermark", async () => {
    await createTransformation({
      ctx,
      input: {
        project: P,
        spec: {
          name: "ok_tx",
          sql: "select driver_id, event_timestamp from driver_stats_source",
          eventTimestampColumn: "event_timestamp",
        },
      },
    });
    const run = await runTransformationOp.call({ ctx, input: { project: P, name: "ok_tx" } });
    const done = await waitForTransformationRun(ctx, P, run.id, undefined, { timeoutMs: 60_000 });
    expect(done).toMatchObject({ status: "succeeded", rowsWritten: 2, attempts: 1, startedBy: "test" });
    expect((await getTransformation({ ctx, input: { project: P, name: "ok_tx" } })).computedUntil).toEqual(
      done.startedAt,
    );
  }, 90_000);

  it("a run the SQL fails on is failed at once with a safe message, and the watermark stays", async () => {
    await createTransformation({
      ctx,
      input: {
        project: P,
        spec: {
          name: "bad_tx",
          sql: "select driver_id, event_timestamp, 10 / driver_id as x from driver_stats_source",
          eventTimestampColumn: "event_timestamp",
        },
      },
    });
    const run = await runTransformationOp.call({ ctx, input: { project: P, name: "bad_tx" } });
    const done = await waitForTransformationRun(ctx, P, run.id, undefined, { timeoutMs: 60_000 });
    expect(done).toMatchObject({ status: "failed", attempts: 1 });
    expect(done.error).toMatch(/division by zero \(SQLSTATE 22012\)$/);
    expect(
      (await getTransformation({ ctx, input: { project: P, name: "bad_tx" } })).computedUntil,
    ).toBeNull();
  }, 90_000);
});
