import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Ctx } from "../../../server/core/context";
import { getRun, startMaterialization } from "../../../server/materialization";
import { createTestDb, type TestDb, testCtx } from "../../../test/db";
import { type CliSessionEnv, cliOn } from "../../../test/helpers/cli";
import { PROJECT, recordingJobs, seedDriverView, VIEW } from "../../../test/helpers/materialization";
import { main } from "../main";

let t: TestDb;
let ctx: Ctx;
let cli: CliSessionEnv | undefined;

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t, { jobs: recordingJobs() });
  await seedDriverView(ctx, t);
  cli = cliOn(t, "cancel");
});

afterAll(async () => {
  const drop = async () => t?.drop();
  await (cli ? cli.restore(drop) : drop());
});

describe("quiver cancel", () => {
  it("cancels a queued run, then refuses to cancel it again", async () => {
    vi.spyOn(console, "log").mockImplementation(() => {});
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const [run] = await startMaterialization({
      ctx,
      input: { project: PROJECT, featureViews: [VIEW], startTs: new Date(0), endTs: new Date() },
    });
    if (!run) throw new Error("no run");
    expect(await main(["cancel", run.id, "--project", PROJECT])).toBe(0);
    expect(await getRun({ ctx, input: { project: PROJECT, runId: run.id } })).toMatchObject({
      status: "cancelled",
      error: "cancelled by cli",
    });
    expect(await main(["cancel", run.id, "--project", PROJECT])).toBe(1);
    expect(errors).toHaveBeenCalledWith(expect.stringContaining("already cancelled"));
    vi.restoreAllMocks();
  });
});
