import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Ctx } from "../../../server/core/context";
import { createTransformation, getTransformation } from "../../../server/transformations/registry";
import { listTransformationRunsOp } from "../../../server/transformations/runs";
import { createTestDb, type TestDb, testCtx } from "../../../test/db";
import { type CliSessionEnv, cliOn } from "../../../test/helpers/cli";
import {
  insertDriverRows,
  PROJECT,
  recordingJobs,
  seedDriverView,
} from "../../../test/helpers/materialization";
import { main } from "../main";
import { withSession } from "../session";

let t: TestDb;
let ctx: Ctx;
let cli: CliSessionEnv | undefined;
const NAME = "driver_week";

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t, { jobs: recordingJobs() });
  await seedDriverView(ctx, t);
  await insertDriverRows(t, [
    [1, 0.5, 5, "2026-01-01T08:00:00Z", null],
    [1, 0.6, 6, "2026-01-03T08:00:00Z", null],
    [2, 0.7, 7, "2026-01-04T08:00:00Z", null],
  ]);
  cli = cliOn(t, "transform");
  // Created in a CLI session, so the output table belongs to the CLI deployment's writer role.
  await withSession(({ ctx: c }) =>
    createTransformation({
      ctx: c,
      input: {
        project: PROJECT,
        spec: {
          name: NAME,
          sql: `select driver_id, event_timestamp, sum(trips) over (partition by driver_id order by event_timestamp
                 range between interval '7 days' preceding and current row) as trips_7d from driver_stats_source`,
          eventTimestampColumn: "event_timestamp",
        },
      },
    }),
  );
});

afterAll(async () => {
  const drop = async () => t?.drop();
  await (cli ? cli.restore(drop) : drop());
});

describe("quiver transform", () => {
  it("runs a full refresh, an incremental run and a backfill, following each to the end; lists", async () => {
    const logs = vi.spyOn(console, "log").mockImplementation(() => {});
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const out = () => logs.mock.calls.map((c) => String(c[0])).join("\n");

    expect(await main(["transform", "run", NAME, "--full", "--project", PROJECT])).toBe(0);
    expect(out()).toContain(`${NAME}: full refresh queued`);
    expect(out()).toContain("done: 3 rows written");
    const head = await getTransformation({ ctx, input: { project: PROJECT, name: NAME } });
    expect(head.computedUntil).not.toBeNull();

    expect(await main(["transform", "run", NAME, "--end", "2099-01-01", "--project", PROJECT])).toBe(0);
    expect(out()).toMatch(/driver_week: incremental 20\d\d-.* \.\. 2099-01-01T00:00:00.000Z queued/);

    expect(
      await main([
        "transform",
        "run",
        NAME,
        "--start",
        "2026-01-01",
        "--end",
        "2026-01-04",
        "--project",
        PROJECT,
      ]),
    ).toBe(0);
    expect(out()).toContain("done: 2 rows written");
    const runs = await listTransformationRunsOp.call({ ctx, input: { project: PROJECT, name: NAME } });
    expect(runs.map((r) => `${r.mode}:${r.status}:${r.startedBy}`)).toEqual([
      "backfill:succeeded:cli",
      "incremental:succeeded:cli",
      "full:succeeded:cli",
    ]);

    expect(await main(["transform", "list", "--project", PROJECT])).toBe(0);
    expect(out()).toMatch(
      /driver_week\tv1\tpostgres\tincremental\tcomputed until 2099-01-01T00:00:00.000Z\t-> driver_week/,
    );

    expect(await main(["transform", "run", "nope", "--project", PROJECT])).toBe(1);
    expect(errors).toHaveBeenCalledWith(expect.stringContaining('transformation "nope" not found'));
    expect(await main(["transform", "run", NAME, "--start", "2026-01-01", "--project", PROJECT])).toBe(2);
    vi.restoreAllMocks();
  }, 120_000);
});
