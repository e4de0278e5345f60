import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import type { Ctx } from "../../../server/core/context";
import { createPool } from "../../../server/db/client";
import { materializationRuns } from "../../../server/db/schema";
import { resetEnvCache } from "../../../server/env";
import { getRun, startMaterialization } from "../../../server/materialization";
import { getFeatureView } from "../../../server/registry";
import { createTestDb, type TestDb, testCtx } from "../../../test/db";
import { dropRoles } from "../../../test/global-setup";
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
let home: string;
let rolePrefix: string;
const saved = {
  url: process.env.DATABASE_URL,
  home: process.env.QUIVER_HOME,
  prefix: process.env.QUIVER_OFFLINE_ROLE_PREFIX,
};

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t, { jobs: recordingJobs() });
  await seedDriverView(ctx, t);
  await insertDriverRows(t, [[1, 0.5, 5, "2026-01-01T08:00:00Z", null]]);
  // The CLI opens its own session and runs the retry in-process; a private home keeps runtime.json
  // out of the way, and a role prefix of this test run lets the offline roles it makes be dropped.
  home = fs.mkdtempSync(path.join(os.tmpdir(), "quiver-retry-"));
  rolePrefix = `qt${inject("pgTemplate").replace("quiver_tpl_", "")}_r${randomBytes(2).toString("hex")}`;
  process.env.DATABASE_URL = t.url;
  process.env.QUIVER_HOME = home;
  process.env.QUIVER_OFFLINE_ROLE_PREFIX = rolePrefix;
  resetEnvCache();
});

afterAll(async () => {
  for (const [key, value] of [
    ["DATABASE_URL", saved.url],
    ["QUIVER_HOME", saved.home],
    ["QUIVER_OFFLINE_ROLE_PREFIX", saved.prefix],
  ] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  resetEnvCache();
  fs.rmSync(home, { recursive: true, force: true });
  await t?.drop();
  const admin = createPool(inject("pgBaseUrl"), 1);
  await dropRoles(admin, rolePrefix).finally(() => admin.end());
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
