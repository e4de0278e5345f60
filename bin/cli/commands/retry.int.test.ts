import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Ctx } from "../../../server/core/context";
import { materializationRuns } from "../../../server/db/schema";
import { getRun, startMaterialization } from "../../../server/materialization";
import { getFeatureView } from "../../../server/registry";
import { createTestDb, type TestDb, testCtx } from "../../../test/db";
import { type CliSessionEnv, cliOn } from "../../../test/helpers/cli";
import {
  insertDriverRows,
  PROJECT,
  recordingJobs,
  seedDriverView,
  VIEW,
} from "../../../test/helpers/materialization";
import { main } from "../main";

let t: TestDb;
let ctx: Ctx;
let cli: CliSessionEnv | undefined;

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t, { jobs: recordingJobs() });
  await seedDriverView(ctx, t);
  await insertDriverRows(t, [[1, 0.5, 5, "2026-01-01T08:00:00Z", null]]);
  // The CLI opens its own session and runs the retry in-process.
  cli = cliOn(t, "retry");
});

afterAll(async () => {
  const drop = async () => t?.drop();
  await (cli ? cli.restore(drop) : drop());
});

describe("quiver retry", () => {
  it("runs a failed run's window again and follows it; a second retry is refused", async () => {
    const logs = vi.spyOn(console, "log").mockImplementation(() => {});
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const [run] = await startMaterialization({
      ctx,
      input: { project: PROJECT, featureViews: [VIEW], startTs: new Date(0), endTs: new Date("2026-02-01") },
    });
    if (!run) throw new Error("no run");
    await t.db
      .update(materializationRuns)
      .set({ status: "failed", attempts: 3, error: "writing to the online store: online store unavailable" })
      .where(eq(materializationRuns.id, run.id));

    expect(await main(["retry", run.id, "--project", PROJECT])).toBe(0);
    const { retriedBy } = await getRun({ ctx, input: { project: PROJECT, runId: run.id } });
    expect(retriedBy).toEqual(expect.any(String));
    const out = logs.mock.calls.map((c) => String(c[0])).join("\n");
    expect(out).toContain(`retrying run ${run.id} as run ${retriedBy}`);
    expect(out).toContain("done: 1 run(s) succeeded, 1 rows written");
    expect(await getRun({ ctx, input: { project: PROJECT, runId: retriedBy ?? "" } })).toMatchObject({
      status: "succeeded",
      retryOf: run.id,
      triggeredBy: "cli",
    });
    expect(
      (await getFeatureView({ ctx, input: { project: PROJECT, name: VIEW } })).materializedUntil,
    ).toEqual(new Date("2026-02-01"));

    expect(await main(["retry", run.id, "--project", PROJECT])).toBe(1);
    expect(errors).toHaveBeenCalledWith(expect.stringContaining(`already retried by run ${retriedBy}`));
    expect(await main(["retry"])).toBe(2);
    vi.restoreAllMocks();
  }, 60_000);
});
