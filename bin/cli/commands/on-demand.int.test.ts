import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Ctx } from "../../../server/core/context";
import { getOnDemandView } from "../../../server/on-demand/registry";
import { createTestDb, type TestDb, testCtx } from "../../../test/db";
import { type CliSessionEnv, cliOn } from "../../../test/helpers/cli";
import { PROJECT, seedServing } from "../../../test/helpers/serving";
import { main } from "../main";

/**
 * `quiver on-demand apply` registers and versions an on-demand view from a JSON file; the
 * training rows of `quiver get-historical-features` compute it, request fields read from the
 * entity CSV's columns.
 */
let t: TestDb;
let ctx: Ctx;
let cli: CliSessionEnv | undefined;

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t);
  await seedServing(ctx, t);
  await t.offlineSql(
    PROJECT,
    `insert into driver_stats (driver_id, conv, acc_rate, avg_daily_trips, event_timestamp) values
      (1, 0.25, 0.5, 10, '2026-01-01T00:00:00Z'), (2, null, 0.9, 90, '2026-01-01T00:00:00Z');`,
  );
  cli = cliOn(t, "on-demand");
});

afterAll(async () => {
  const drop = async () => t?.drop();
  await (cli ? cli.restore(drop) : drop());
});

const spec = (expression: string) => ({
  name: "driver_odv",
  inputs: ["driver_hourly_stats:conv_rate"],
  requestFields: [{ name: "boost", dtype: "float64" }],
  fields: [{ name: "boosted", dtype: "float64", expression }],
});

describe("quiver on-demand", () => {
  it("applies a spec as version 1, then 2; a bad expression exits non-zero and writes nothing", async () => {
    vi.spyOn(console, "log").mockImplementation(() => {});
    vi.spyOn(console, "error").mockImplementation(() => {});
    const file = path.join(cli?.home ?? "", "odv.json");
    fs.writeFileSync(file, JSON.stringify(spec("driver_hourly_stats.conv_rate * request.boost")));
    expect(await main(["on-demand", "apply", file, "--project", PROJECT])).toBe(0);
    fs.writeFileSync(file, JSON.stringify(spec("driver_hourly_stats.conv_rate * request.boost * 2.0")));
    expect(await main(["on-demand", "apply", file, "--project", PROJECT])).toBe(0);
    fs.writeFileSync(file, JSON.stringify(spec("driver_hourly_stats.conv_rate * 2")));
    expect(await main(["on-demand", "apply", file, "--project", PROJECT])).not.toBe(0);
    const v = await getOnDemandView({ ctx, input: { project: PROJECT, name: "driver_odv" } });
    expect(v.version).toBe(2);
    expect(v.spec.fields[0]?.expression).toBe("driver_hourly_stats.conv_rate * request.boost * 2.0");
    vi.restoreAllMocks();
  });

  it("computes it in training rows, with request fields from the entity CSV", async () => {
    vi.spyOn(console, "log").mockImplementation(() => {});
    const rows = path.join(cli?.home ?? "", "rows.csv");
    fs.writeFileSync(
      rows,
      "driver_id,event_timestamp,boost\n1,2026-01-01T12:00:00Z,3\n2,2026-01-01T12:00:00Z,1.5\n",
    );
    const out = path.join(cli?.home ?? "", "out.csv");
    const args = ["get-historical-features", "--entities", rows, "--project", PROJECT, "--out", out];
    expect(await main([...args, "--features", "driver_odv:boosted,driver_hourly_stats:acc_rate"])).toBe(0);
    // By hand: 0.25 * 3 * 2 = 1.5; driver 2's conv_rate is null.
    expect(fs.readFileSync(out, "utf8")).toBe(
      "driver_id,event_timestamp,boost,boosted,acc_rate\r\n" +
        "1,2026-01-01T12:00:00Z,3,1.5,0.5\r\n2,2026-01-01T12:00:00Z,1.5,,0.9\r\n",
    );
    vi.restoreAllMocks();
  });
});
