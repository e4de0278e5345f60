import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Ctx } from "../../../server/core/context";
import { withDuckDb } from "../../../server/offline/duckdb";
import { getHistoricalFeatures } from "../../../server/serving";
import { createTestDb, type TestDb, testCtx } from "../../../test/db";
import { type CliSessionEnv, cliOn } from "../../../test/helpers/cli";
import { PROJECT, seedServing } from "../../../test/helpers/serving";
import { main } from "../main";
import { parseStep } from "./dataset";

/**
 * `quiver dataset create|list|download`: a dataset made from a CSV of entity rows is built by the
 * worker the CLI runs, and its download (CSV and Parquet) has the API's rows.
 */
let t: TestDb;
let ctx: Ctx;
let home: string;
let cli: CliSessionEnv | undefined;

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t);
  await seedServing(ctx, t);
  await t.offlineSql(
    PROJECT,
    `insert into driver_stats (driver_id, conv, acc_rate, avg_daily_trips, event_timestamp, created) values
      (1, 0.1, 0.5, 10, '2026-01-01T00:00:00Z', null), (1, 0.2, 0.6, 20, '2026-01-02T00:00:00Z', null),
      (2, 0.9, 0.9, 90, '2026-01-01T12:00:00Z', null);`,
  );
  cli = cliOn(t, "dataset");
  home = cli.home;
}, 60_000);

afterAll(async () => {
  const drop = async () => t?.drop();
  await (cli ? cli.restore(drop) : drop());
});

const FEATURES = "driver_hourly_stats:conv_rate,driver_hourly_stats:avg_daily_trips";
const TIMES = ["2026-01-01T12:00:00.000000Z", "2026-01-02T00:00:00.000000Z", "2026-01-02T23:00:00.500000Z"];

async function readParquet(file: string): Promise<unknown[][]> {
  return withDuckDb({ allowedDirs: [path.dirname(file)], timeoutMs: 10_000 }, async (conn) => {
    const r = await conn.runAndReadAll(
      `SELECT driver_id::VARCHAR, strftime(event_timestamp::TIMESTAMP, '%Y-%m-%dT%H:%M:%S.%fZ'), conv_rate, avg_daily_trips::VARCHAR FROM read_parquet('${file}')`,
    );
    return r.getRows().map((row) => [...row]);
  });
}

describe("quiver dataset", () => {
  it("creates a dataset from a CSV, waits for its build, lists it and downloads CSV and Parquet", async () => {
    const out = vi.spyOn(console, "log").mockImplementation(() => {});
    const entities = path.join(home, "rows.csv");
    fs.writeFileSync(
      entities,
      `driver_id,event_timestamp\n1,${TIMES[0]}\n2,${TIMES[1]}\n1,${TIMES[2]}\n7,${TIMES[1]}\n`,
    );
    expect(
      await main([
        "dataset",
        "create",
        "cli_rows",
        "--entities",
        entities,
        "--features",
        FEATURES,
        "--project",
        PROJECT,
        "--wait",
      ]),
    ).toBe(0);
    const lines = () => out.mock.calls.map((c) => String(c[0]));
    expect(lines().some((l) => /cli_rows {2}ready {2}4\/4 rows {2}table/.test(l))).toBe(true);

    out.mockClear();
    expect(await main(["dataset", "list", "--project", PROJECT])).toBe(0);
    expect(lines().join("\n")).toMatch(/^cli_rows {2}ready {2}4\/4 rows/m);

    const csv = path.join(home, "out.csv");
    expect(await main(["dataset", "download", "cli_rows", "--out", csv, "--project", PROJECT])).toBe(0);
    // Written by hand from the source rows (ttl one day): driver 7 has none.
    expect(fs.readFileSync(csv, "utf8")).toBe(
      "driver_id,event_timestamp,conv_rate,avg_daily_trips\r\n" +
        `1,${TIMES[0]},0.1,10\r\n2,${TIMES[1]},0.9,90\r\n1,${TIMES[2]},0.2,20\r\n7,${TIMES[1]},,\r\n`,
    );
    // The API's rows for the same entity rows.
    const api = await getHistoricalFeatures({
      ctx,
      input: {
        project: PROJECT,
        features: FEATURES.split(","),
        entities: { driver_id: [1, 2, 1, 7], event_timestamp: [TIMES[0], TIMES[1], TIMES[2], TIMES[1]] },
      },
    });
    const apiRows = [0, 1, 2, 3].map((i) => api.results.map((r) => r.values[i] ?? ""));
    const csvRows = fs
      .readFileSync(csv, "utf8")
      .trim()
      .split("\r\n")
      .slice(1)
      .map((l) => l.split(",").map((v, i) => (v === "" ? "" : i === 1 ? v : Number(v))));
    expect(csvRows).toEqual(apiRows);

    const parquet = path.join(home, "out.parquet");
    expect(await main(["dataset", "download", "cli_rows", "--out", parquet, "--project", PROJECT])).toBe(0);
    expect(await readParquet(parquet)).toEqual([
      ["1", TIMES[0], 0.1, "10"],
      ["2", TIMES[1], 0.9, "90"],
      ["1", TIMES[2], 0.2, "20"],
      ["7", TIMES[1], null, null],
    ]);
    vi.restoreAllMocks();
  });

  it("builds a grid stored as Parquet", async () => {
    vi.spyOn(console, "log").mockImplementation(() => {});
    const args = [
      "--grid",
      "driver_hourly_stats",
      "--start",
      "2026-01-01T12:00:00Z",
      "--end",
      "2026-01-02",
      "--step",
      "12h",
    ];
    expect(
      await main([
        "dataset",
        "create",
        "cli_grid",
        ...args,
        "--features",
        "driver_hourly_stats:conv_rate",
        "--storage",
        "parquet",
        "--project",
        PROJECT,
        "--wait",
      ]),
    ).toBe(0);
    const parquet = path.join(home, "grid.parquet");
    expect(await main(["dataset", "download", "cli_grid", "--out", parquet, "--project", PROJECT])).toBe(0);
    const rows = await withDuckDb({ allowedDirs: [home], timeoutMs: 10_000 }, async (conn) =>
      (
        await conn.runAndReadAll(`SELECT driver_id::VARCHAR, conv_rate FROM read_parquet('${parquet}')`)
      ).getRows(),
    );
    // Drivers 1 and 2 at 01-01 12:00 and 01-02 00:00.
    expect(rows.map((r) => [...r])).toEqual([
      ["1", 0.1],
      ["1", 0.2],
      ["2", 0.9],
      ["2", 0.9],
    ]);
    vi.restoreAllMocks();
  });

  it("refuses a missing source, two sources, both selections and a bad step with usage errors", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    expect(await main(["dataset", "create", "x", "--features", "a:b"])).toBe(2);
    expect(
      await main(["dataset", "create", "x", "--query", "select 1", "--grid", "v", "--features", "a:b"]),
    ).toBe(2);
    expect(
      await main(["dataset", "create", "x", "--query", "select 1", "--features", "a:b", "--service", "s"]),
    ).toBe(2);
    expect(
      await main([
        "dataset",
        "create",
        "x",
        "--grid",
        "v",
        "--start",
        "2026-01-01",
        "--end",
        "2026-01-02",
        "--step",
        "1w",
        "--features",
        "a:b",
      ]),
    ).toBe(2);
    expect(await main(["dataset", "download", "x", "--out", "x.txt"])).toBe(2);
    expect(errors.mock.calls.map((c) => String(c[0]))).toEqual([
      expect.stringContaining("give one entity source"),
      expect.stringContaining("give one entity source"),
      expect.stringContaining("give --features or --service"),
      expect.stringContaining('--step: "1w"'),
      expect.stringContaining("--out must end in .csv or .parquet"),
    ]);
    expect([parseStep("90"), parseStep("15m"), parseStep("1h"), parseStep("2d")]).toEqual([
      90, 900, 3600, 172800,
    ]);
    vi.restoreAllMocks();
  });
});
