import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Ctx } from "../../../server/core/context";
import { resetEnvCache } from "../../../server/env";
import { getRun, startMaterialization } from "../../../server/materialization";
import { createTestDb, type TestDb, testCtx } from "../../../test/db";
import { PROJECT, recordingJobs, seedDriverView, VIEW } from "../../../test/helpers/materialization";
import { main } from "../main";

let t: TestDb;
let ctx: Ctx;
let home: string;
const saved = { url: process.env.DATABASE_URL, home: process.env.QUIVER_HOME };

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t, { jobs: recordingJobs() });
  await seedDriverView(ctx, t);
  // The CLI opens its own session on this database; a private home keeps runtime.json out of the way.
  home = fs.mkdtempSync(path.join(os.tmpdir(), "quiver-cancel-"));
  process.env.DATABASE_URL = t.url;
  process.env.QUIVER_HOME = home;
  resetEnvCache();
});

afterAll(async () => {
  process.env.DATABASE_URL = saved.url;
  process.env.QUIVER_HOME = saved.home;
  resetEnvCache();
  fs.rmSync(home, { recursive: true, force: true });
  await t?.drop();
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
