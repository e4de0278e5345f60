import fs from "node:fs";
import path from "node:path";
import { tableFromIPC } from "apache-arrow";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Ctx } from "../../../server/core/context";
import { duckString, withDuckDb } from "../../../server/offline/duckdb";
import { getHistoricalFeatures } from "../../../server/serving";
import { createTestDb, type TestDb, testCtx } from "../../../test/db";
import { type CliSessionEnv, cliOn } from "../../../test/helpers/cli";
import { PROJECT, seedServing } from "../../../test/helpers/serving";
import { main } from "../main";

/** `quiver get-historical-features` gives the rows the API gives, from a CSV of entity rows. */
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
  cli = cliOn(t, "historical");
  home = cli.home;
});

afterAll(async () => {
  const drop = async () => t?.drop();
  await (cli ? cli.restore(drop) : drop());
});

describe("quiver get-historical-features", () => {
  it("writes the API's rows as CSV and JSON for a CSV of entity rows", async () => {
    vi.spyOn(console, "log").mockImplementation(() => {});
    const entities = path.join(home, "rows.csv");
    fs.writeFileSync(
      entities,
      "driver_id,event_timestamp\r\n1,2026-01-01T12:00:00Z\n2,2026-01-02\n1,2026-01-02T23:00:00.5\n7,2026-01-03\n",
    );
    const csv = path.join(home, "out.csv");
    const args = ["get-historical-features", "--entities", entities, "--project", PROJECT];
    expect(
      await main([
        ...args,
        "--features",
        "driver_hourly_stats:conv_rate,driver_hourly_stats:avg_daily_trips",
        "--out",
        csv,
      ]),
    ).toBe(0);
    expect(fs.readFileSync(csv, "utf8")).toBe(
      "driver_id,event_timestamp,conv_rate,avg_daily_trips\r\n" +
        "1,2026-01-01T12:00:00Z,0.1,10\r\n2,2026-01-02,0.9,90\r\n1,2026-01-02T23:00:00.5,0.2,20\r\n7,2026-01-03,,\r\n",
    );

    const json = path.join(home, "out.json");
    expect(await main([...args, "--service", "driver_activity", "--full-feature-names", "--out", json])).toBe(
      0,
    );
    const fromCli = JSON.parse(fs.readFileSync(json, "utf8")) as unknown;
    const fromApi = await getHistoricalFeatures({
      ctx,
      input: {
        project: PROJECT,
        feature_service: "driver_activity",
        full_feature_names: true,
        entities: {
          driver_id: ["1", "2", "1", "7"],
          event_timestamp: ["2026-01-01T12:00:00Z", "2026-01-02", "2026-01-02T23:00:00.5", "2026-01-03"],
        },
      },
    });
    expect(fromCli).toEqual(JSON.parse(JSON.stringify(fromApi)));
    vi.restoreAllMocks();
  });

  it("writes the API's rows as Parquet and Arrow, typed by the views", async () => {
    vi.spyOn(console, "log").mockImplementation(() => {});
    const entities = path.join(home, "typed-rows.csv");
    fs.writeFileSync(
      entities,
      "driver_id,event_timestamp\n1,2026-01-01T12:00:00.000001Z\n2,2026-01-02\n1,2026-01-01T12:00:00.000001Z\n7,2026-01-03\n",
    );
    const features = "driver_hourly_stats:conv_rate,driver_hourly_stats:avg_daily_trips";
    const args = [
      "get-historical-features",
      "--entities",
      entities,
      "--project",
      PROJECT,
      "--features",
      features,
    ];
    const fromApi = await getHistoricalFeatures({
      ctx,
      input: {
        project: PROJECT,
        features: features.split(","),
        entities: {
          driver_id: ["1", "2", "1", "7"],
          event_timestamp: [
            "2026-01-01T12:00:00.000001Z",
            "2026-01-02",
            "2026-01-01T12:00:00.000001Z",
            "2026-01-03",
          ],
        },
      },
    });
    // By hand: the API's values, typed (int64 as bigint, times as microseconds since 1970).
    expect(fromApi.results.map((r) => r.values)).toEqual([
      ["1", "2", "1", "7"],
      ["2026-01-01T12:00:00.000001Z", "2026-01-02", "2026-01-01T12:00:00.000001Z", "2026-01-03"],
      [0.1, 0.9, 0.1, null],
      [10, 90, 10, null],
    ]);
    const typed = [
      [1n, 2n, 1n, 7n],
      [1767268800000001n, 1767312000000000n, 1767268800000001n, 1767398400000000n],
      [0.1, 0.9, 0.1, null],
      [10n, 90n, 10n, null],
    ];

    const parquet = path.join(home, "out.parquet");
    expect(await main([...args, "--out", parquet])).toBe(0);
    const read = await withDuckDb({ allowedDirs: [home], timeoutMs: 10_000 }, async (c) => {
      const r = await c.runAndReadAll(`SELECT * FROM read_parquet(${duckString(parquet)})`);
      return { names: r.columnNames(), types: r.columnTypes().map(String), columns: r.getColumns() };
    });
    expect(read.names).toEqual(fromApi.metadata.feature_names);
    expect(read.types).toEqual(["BIGINT", "TIMESTAMP WITH TIME ZONE", "DOUBLE", "BIGINT"]);
    expect(
      read.columns.map((c, i) => (i === 1 ? c.map((v) => (v as { micros: bigint }).micros) : c)),
    ).toEqual(typed);

    const arrow = path.join(home, "out.arrow");
    expect(await main([...args, "--out", arrow])).toBe(0);
    const table = tableFromIPC(fs.readFileSync(arrow));
    expect(table.schema.fields.map((f) => `${f.name}: ${f.type}`)).toEqual([
      "driver_id: Int64",
      "event_timestamp: Timestamp<MICROSECOND, UTC>",
      "conv_rate: Float64",
      "avg_daily_trips: Int64",
    ]);
    // Timestamps from their raw microseconds (get() gives milliseconds).
    const column = (name: string, i: number) => {
      const vector = table.getChild(name);
      return Array.from({ length: table.numRows }, (_, r) =>
        i === 1 ? vector?.data[0]?.values[r] : (vector?.get(r) as unknown),
      );
    };
    expect(table.schema.fields.map((f, i) => column(f.name, i))).toEqual(typed);
    vi.restoreAllMocks();
  });

  it("refuses a missing file, a bad CSV and a missing feature choice with usage errors", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    expect(await main(["get-historical-features", "--entities", "/nope.csv", "--features", "a:b"])).toBe(2);
    const bad = path.join(home, "bad.csv");
    fs.writeFileSync(bad, 'driver_id,event_timestamp\n1,"unclosed\n');
    expect(await main(["get-historical-features", "--entities", bad, "--features", "a:b"])).toBe(2);
    expect(await main(["get-historical-features", "--entities", bad])).toBe(2);
    expect(errors.mock.calls.map((c) => String(c[0]))).toEqual([
      expect.stringContaining("cannot read /nope.csv"),
      expect.stringContaining("is not valid CSV"),
      expect.stringContaining("give --features or --service"),
    ]);
    vi.restoreAllMocks();
  });
});
