import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import {
  insertDriverRows,
  PROJECT,
  recordingJobs,
  seedDriverView,
  VIEW,
} from "../../test/helpers/materialization";
import type { Ctx } from "../core/context";
import { createPool } from "../db/client";
import { freePort } from "../db/embedded";
import { connectRedis, createPostgresOnlineStore, createRedisOnlineStore } from "../online";
import type { OnlineStore } from "../online/types";
import { getRun } from "./get-run";
import { runMaterialization } from "./run-materialization";
import { startMaterialization } from "./start-materialization";

/**
 * What a failed run records when a store is down (hardening item 6): the step and a reason a
 * person can act on, no host or port, never "internal error". The stores are real clients
 * pointed at a port nothing listens on.
 */
let t: TestDb;
let ctx: Ctx;
let deadPort: number;
const closers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t, { jobs: recordingJobs() });
  await seedDriverView(ctx, t);
  await insertDriverRows(t, [[1, 0.5, 5, "2026-01-01T08:00:00Z", null]]);
  deadPort = await freePort();
});

afterAll(async () => {
  for (const close of closers) await close().catch(() => {});
  await t?.drop();
});

async function failedRunWith(online: OnlineStore) {
  const [run] = await startMaterialization({
    ctx,
    input: { project: PROJECT, featureViews: [VIEW], startTs: new Date(0), endTs: new Date("2026-02-01") },
  });
  if (!run) throw new Error("no run");
  await expect(runMaterialization({ ...ctx, online }, run.id, { lastAttempt: true })).rejects.toThrow();
  return getRun({ ctx, input: { project: PROJECT, runId: run.id } });
}

describe("a run whose online store is down", () => {
  it("records 'online store unavailable: connection refused' for Redis", async () => {
    const store = createRedisOnlineStore(connectRedis(`redis://127.0.0.1:${deadPort}`));
    closers.push(() => store.close());
    const run = await failedRunWith(store);
    expect(run).toMatchObject({
      status: "failed",
      error: "writing to the online store: online store unavailable: connection refused",
    });
  });

  it("records 'online store unavailable: connection refused' for the Postgres table store", async () => {
    const pool = createPool(`postgres://postgres@127.0.0.1:${deadPort}/nothing`, 1);
    closers.push(() => pool.end());
    const run = await failedRunWith(createPostgresOnlineStore(pool));
    expect(run).toMatchObject({
      status: "failed",
      error: "writing to the online store: online store unavailable: connection refused",
    });
  });
});
