import { like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Ctx } from "../../../server/core/context";
import { auditLog } from "../../../server/db/schema";
import { getSchedule } from "../../../server/schedules";
import { createTestDb, type TestDb, testCtx } from "../../../test/db";
import { type CliSessionEnv, cliOn } from "../../../test/helpers/cli";
import { PROJECT, recordingJobs, seedDriverView, VIEW } from "../../../test/helpers/materialization";
import { main } from "../main";

let t: TestDb;
let ctx: Ctx;
let cli: CliSessionEnv | undefined;
const target = { project: PROJECT, featureView: VIEW };

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t, { jobs: recordingJobs() });
  await seedDriverView(ctx, t);
  cli = cliOn(t, "schedule");
});

afterAll(async () => {
  const drop = async () => t?.drop();
  await (cli ? cli.restore(drop) : drop());
});

describe("quiver schedule", () => {
  it("sets, pauses, resumes, shows and deletes a view's schedule; refuses bad input", async () => {
    const logs = vi.spyOn(console, "log").mockImplementation(() => {});
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const out = () => logs.mock.calls.map((c) => String(c[0])).join("\n");

    expect(
      await main(["schedule", "set", VIEW, "*/15 * * * *", "--tz", "Europe/Paris", "--project", PROJECT]),
    ).toBe(0);
    expect((await getSchedule({ ctx, input: target })).schedule).toMatchObject({
      kind: "cron",
      cron: "*/15 * * * *",
      timeZone: "Europe/Paris",
      paused: false,
      updatedBy: "cli",
    });
    expect(out()).toMatch(/driver_stats: \*\/15 \* \* \* \* \(Europe\/Paris\), next run 20\d\d-/);

    expect(await main(["schedule", "every", VIEW, "5", "--project", PROJECT])).toBe(0);
    expect((await getSchedule({ ctx, input: target })).schedule).toMatchObject({
      kind: "every",
      everyMinutes: 5,
    });

    expect(await main(["schedule", "pause", VIEW, "--project", PROJECT])).toBe(0);
    expect((await getSchedule({ ctx, input: target })).schedule).toMatchObject({
      paused: true,
      nextRunAt: null,
    });
    expect(out()).toContain("driver_stats: every 5 min, paused");
    expect(await main(["schedule", "resume", VIEW, "--project", PROJECT])).toBe(0);
    expect((await getSchedule({ ctx, input: target })).schedule?.paused).toBe(false);
    expect(await main(["schedule", "show", VIEW, "--project", PROJECT])).toBe(0);

    // Refused: a bad expression or zone (the service's message, exit 1), a bad call (usage, exit 2).
    expect(await main(["schedule", "set", VIEW, "61 * * * *", "--project", PROJECT])).toBe(1);
    expect(errors).toHaveBeenCalledWith(expect.stringContaining("cron: "));
    expect(
      await main(["schedule", "set", VIEW, "* * * * *", "--tz", "Nowhere/Land", "--project", PROJECT]),
    ).toBe(1);
    expect(errors).toHaveBeenCalledWith(expect.stringContaining("timeZone: "));
    expect(await main(["schedule", "every", VIEW, "0", "--project", PROJECT])).toBe(2);
    expect(await main(["schedule", "every", VIEW, "--tz", "UTC", "--project", PROJECT])).toBe(2);
    expect(await main(["schedule", "sometimes", VIEW])).toBe(2);

    expect(await main(["schedule", "delete", VIEW, "--project", PROJECT])).toBe(0);
    expect((await getSchedule({ ctx, input: target })).schedule).toBeNull();
    expect(await main(["schedule", "show", VIEW, "--project", PROJECT])).toBe(0);
    expect(out()).toContain("driver_stats: no schedule");

    const actions = await t.db
      .select({ action: auditLog.action })
      .from(auditLog)
      .where(like(auditLog.action, "schedule.%"));
    expect(actions.map((a) => a.action)).toEqual([
      "schedule.set",
      "schedule.set",
      "schedule.pause",
      "schedule.resume",
      "schedule.delete",
    ]);
    vi.restoreAllMocks();
  }, 60_000);
});
