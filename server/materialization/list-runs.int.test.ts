import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { PROJECT, recordingJobs, seedDriverView, VIEW } from "../../test/helpers/materialization";
import type { Ctx } from "../core/context";
import type { RunStatus } from "../core/vocabulary";
import { materializationRuns } from "../db/schema";
import { getFeatureView } from "../registry";
import { listRuns } from "./list-runs";

/** jobs.list's filters: view, status and a window back from now (the Jobs page's controls). */
let t: TestDb;
let ctx: Ctx;
const HOUR = 3_600_000;

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t, { jobs: recordingJobs() });
  await seedDriverView(ctx, t);
  const view = await getFeatureView({ ctx, input: { project: PROJECT, name: VIEW } });
  const run = (status: RunStatus, hoursAgo: number) => ({
    id: randomUUID(),
    projectId: view.projectId,
    featureViewId: view.id,
    featureViewVersion: 1,
    kind: "range" as const,
    status,
    startTs: new Date("2026-01-01T00:00:00Z"),
    endTs: new Date("2026-01-01T12:00:00Z"),
    triggeredBy: "test",
    createdAt: new Date(Date.now() - hoursAgo * HOUR),
  });
  await ctx.db
    .insert(materializationRuns)
    .values([
      run("succeeded", 0.5),
      run("failed", 2),
      run("succeeded", 30),
      run("cancelled", 24 * 10),
      run("failed", 24 * 40),
    ]);
});
afterAll(() => t?.drop());

const list = async (input: Record<string, unknown>) =>
  (await listRuns({ ctx, input: { project: PROJECT, ...input } })).map((r) => r.status);

describe("jobs.list filters", () => {
  it("filters by status, by window, and by both, newest first", async () => {
    expect(await list({})).toEqual(["succeeded", "failed", "succeeded", "cancelled", "failed"]);
    expect(await list({ status: "failed" })).toEqual(["failed", "failed"]);
    expect(await list({ within: "1h" })).toEqual(["succeeded"]);
    expect(await list({ within: "24h" })).toEqual(["succeeded", "failed"]);
    expect(await list({ within: "7d" })).toEqual(["succeeded", "failed", "succeeded"]);
    expect(await list({ within: "30d" })).toEqual(["succeeded", "failed", "succeeded", "cancelled"]);
    expect(await list({ status: "failed", within: "30d" })).toEqual(["failed"]);
    expect(await list({ status: "succeeded", featureView: VIEW, within: "24h" })).toEqual(["succeeded"]);
    expect(await list({ status: "retrying" })).toEqual([]);
  });

  it("refuses an unknown status or window, naming the field", async () => {
    await expect(list({ status: "exploded" })).rejects.toThrow(/status/);
    await expect(list({ within: "2h" })).rejects.toThrow(/within/);
  });
});
