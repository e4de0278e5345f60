import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { writeParquet } from "../../test/helpers/files";
import type { Ctx } from "../core/context";
import {
  createDataSource,
  createEntity,
  createFeatureView,
  ensureProject,
  listDataSources,
  updateDataSource,
} from "../registry";
import { DataSource } from "../registry/outputs";
import { duckString, withDuckDb } from "./duckdb";
import { OfflineTimeoutError } from "./errors";
import { pointInTime } from "./historical/engine";
import type { PitView } from "./historical/query";
import type { SourceDef } from "./source-query";
import { checkSource, probeSource, readLatestPerEntity } from "./source-reader";

/**
 * File sources as an attacker sees them: every way a path could leave the project's file area, a
 * file that is not what it says, values and lines DuckDB would quote in its errors; and the
 * registry's checks when a file source is registered. No answer or error may carry a byte of a
 * file that the source should not see.
 */

let t: TestDb;
let ctx: Ctx;
const P = "files";
const SECRET = "hunter2-secret";
let mine: string;
let theirs: string;

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t);
  await ensureProject({ ctx, input: { name: P } });
  await ensureProject({ ctx, input: { name: "other" } });
  mine = t.offline.files.dirOf(P);
  theirs = t.offline.files.dirOf("other");
  await createEntity({ ctx, input: { project: P, name: "user", joinKey: "user_id", valueType: "int64" } });

  const good = (file: string) =>
    writeParquet(
      file,
      [
        { name: "user_id", type: "BIGINT" },
        { name: "event_ts", type: "TIMESTAMPTZ" },
        { name: "created", type: "TIMESTAMPTZ" },
        { name: "score", type: "DOUBLE" },
        { name: "note", type: "VARCHAR" },
      ],
      [["1", "'2026-01-01T00:00:00Z'", "'2026-01-01T00:00:00Z'", "0.5", `'${SECRET}'`]],
    );
  await good(path.join(mine, "ok", "scores.parquet"));
  await good(path.join(theirs, "secret.parquet"));
  fs.writeFileSync(
    path.join(theirs, "secret.csv"),
    `user_id,event_ts,note\n1,2026-01-01T00:00:00Z,${SECRET}\n`,
  );
  fs.writeFileSync(
    path.join(mine, "ok", "scores.csv"),
    "user_id,event_ts,created,score,note\n1,2026-01-01T00:00:00Z,,0.5,fine\n",
  );
  // Not Parquet at all, whatever its name says.
  fs.writeFileSync(path.join(mine, "fake.parquet"), `${SECRET} ${"x".repeat(100)}`);
  // A key that is not a number, a line DuckDB cannot parse.
  fs.writeFileSync(
    path.join(mine, "badkey.csv"),
    `user_id,event_ts,score\n"1",2026-01-01T00:00:00Z,1\n"${SECRET}",2026-01-01T00:00:01Z,2\n`,
  );
  fs.writeFileSync(
    path.join(mine, "broken.csv"),
    `user_id,event_ts,score\n1,2026-01-01T00:00:00Z,1\n2,"${SECRET},2026\n`,
  );
  // Symbolic links: to another project's file, to another project's folder, to a system file.
  fs.symlinkSync(path.join(theirs, "secret.parquet"), path.join(mine, "link.parquet"));
  fs.symlinkSync(theirs, path.join(mine, "linkdir"));
  fs.symlinkSync("/etc/passwd", path.join(mine, "passwd.csv"));
  fs.mkdirSync(path.join(mine, "folder.parquet"));
});

afterAll(async () => {
  if (!t) return;
  for (const dir of [mine, theirs]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
  await t.drop();
});

function fileSource(relPath: string, over: Partial<SourceDef> = {}): SourceDef {
  return {
    name: "f",
    kind: "file",
    tableName: null,
    query: null,
    path: relPath,
    fileFormat: relPath.endsWith(".csv") ? "csv" : "parquet",
    timestampField: "event_ts",
    createdTimestampField: null,
    fieldMapping: {},
    ...over,
  };
}

function view(
  source: SourceDef,
  field = "score",
  dtype: PitView["fields"][number]["dtype"] = "float64",
): PitView {
  return {
    name: "v",
    source,
    ttlSeconds: 0,
    joinKeys: [{ name: "user_id", valueType: "int64" }],
    fields: [{ name: field, dtype }],
  };
}

const one = { keys: { user_id: [1] }, times: ["2030-01-01T00:00:00Z"] };

/** The error a promise rejects with; a resolved promise fails the test. */
async function failure(p: Promise<unknown>): Promise<Error & { code?: string; field?: string }> {
  return p.then(
    () => {
      throw new Error("expected a refusal, got an answer");
    },
    (e: unknown) => e as Error,
  );
}

/** Reads through every path that reads a file source; each must refuse with the same safe error. */
async function everyRead(source: SourceDef): Promise<Error[]> {
  const scan = async () => {
    for await (const _ of readLatestPerEntity(t.offline, P, source, view(source), {
      start: new Date(0),
      end: new Date("2030-01-01T00:00:00Z"),
    }));
  };
  const checked = await checkSource(t.offline, P, source, { joinKeys: ["user_id"], fields: ["score"] });
  return [
    await failure(pointInTime(t.offline, P, [view(source)], one)),
    await failure(scan()),
    await failure(probeSource(t.offline, P, source)),
    checked ?? new Error("checkSource found no problem"),
  ];
}

function expectSafe(errors: Error[], pattern: RegExp) {
  for (const e of errors) {
    expect(e.message).toMatch(pattern);
    expect(e.message).not.toContain(SECRET);
    expect(e.message).not.toContain(t.offline.files.root);
    expect((e as { code?: string }).code).toBe("INVALID");
  }
}

describe("a file source cannot leave its project's file area", () => {
  it.each([
    ["a path that climbs out", "../other/secret.parquet", /not a path inside the project's file area/],
    [
      "a path that climbs out midway",
      "ok/../../other/secret.csv",
      /not a path inside the project's file area/,
    ],
    ["an absolute path", "/etc/passwd", /not a path inside the project's file area/],
    ["an absolute path into another project", `${"/"}other/secret.parquet`, /not a path inside/],
    ["a symbolic link to another project's file", "link.parquet", /symbolic link/],
    ["a symbolic link to another project's folder", "linkdir/secret.parquet", /symbolic link/],
    ["a symbolic link to a system file", "passwd.csv", /symbolic link/],
    ["a file that does not exist", "ok/nope.parquet", /there is no file "ok\/nope.parquet"/],
    ["a folder", "folder.parquet", /not a regular file/],
  ])("refuses %s before DuckDB opens anything", async (_, relPath, pattern) => {
    expectSafe(await everyRead(fileSource(relPath)), pattern);
  });

  it("refuses another project's file even through its own name", async () => {
    // "other" is a folder name here, resolved inside this project's area: no such file.
    expectSafe(await everyRead(fileSource("other/secret.parquet")), /there is no file/);
  });
});

describe("a file source's errors carry nothing read from the file", () => {
  it("a file that is not Parquet", async () => {
    expectSafe(await everyRead(fileSource("fake.parquet")), /file "fake.parquet" cannot be read as Parquet/);
  });

  it("a value that cannot be converted (DuckDB would quote it)", async () => {
    const e = await failure(pointInTime(t.offline, P, [view(fileSource("badkey.csv"))], one));
    expectSafe([e], /holds a value that cannot be read as the type it is read as \(conversion error\)/);
  });

  it("a CSV line that cannot be parsed (DuckDB would quote the line)", async () => {
    const e = await failure(pointInTime(t.offline, P, [view(fileSource("broken.csv"))], one));
    expectSafe([e], /file "broken.csv" (cannot be read as CSV|holds a value that cannot be read)/);
  });

  it("a missing column is named as the definition names it", async () => {
    const e = await failure(pointInTime(t.offline, P, [view(fileSource("ok/scores.parquet"), "nope")], one));
    expectSafe([e], /file "ok\/scores.parquet" has no column for "nope" "nope"/);
    const missingTs = fileSource("ok/scores.parquet", { timestampField: "when" });
    const [pit, , probe, checked] = await everyRead(missingTs);
    expectSafe([pit as Error, checked as Error], /has no timestamp column "when"/);
    expect(probe?.message).toMatch(/source "f": file "ok\/scores.parquet" has no column "when"/);
  });

  it("stops at the scan timeout and says so", async () => {
    const big = path.join(mine, "big.parquet");
    await withDuckDb({ allowedDirs: [mine], timeoutMs: 60_000 }, (c) =>
      c.run(
        `COPY (SELECT i % 100000 AS user_id, TIMESTAMPTZ '2026-01-01 00:00:00+00' + i * INTERVAL 1 SECOND AS event_ts, random() AS score FROM range(4000000) r(i)) TO ${duckString(big)} (FORMAT parquet)`,
      ),
    );
    // 5 ms: no machine reads 4M rows that fast, however idle (at 100 ms an idle one sometimes did)
    const quick = t.openOffline({ timeouts: { probeMs: 5, scanMs: 5, writeMs: 5, lockMs: 5 } });
    const e = await failure(pointInTime(quick, P, [view(fileSource("big.parquet"))], one));
    expect(e).toBeInstanceOf(OfflineTimeoutError);
    expect(e.message).toMatch(/stopped the query after 0\.005 s/);
  });
});

describe("streaming a file source's latest rows", () => {
  it("gives up at the scan timeout even while the consumer holds a batch", async () => {
    const many = path.join(mine, "many.parquet");
    await withDuckDb({ allowedDirs: [mine], timeoutMs: 60_000 }, (c) =>
      c.run(
        `COPY (SELECT i AS user_id, TIMESTAMPTZ '2026-01-01 00:00:00+00' AS event_ts, 1.0 AS score FROM range(20000) r(i)) TO ${duckString(many)} (FORMAT parquet)`,
      ),
    );
    const quick = t.openOffline({ timeouts: { probeMs: 5000, scanMs: 1000, writeMs: 1000, lockMs: 1000 } });
    const source = fileSource("many.parquet");
    const batches = readLatestPerEntity(
      quick,
      P,
      source,
      view(source),
      {
        start: new Date(0),
        end: new Date("2030-01-01T00:00:00Z"),
      },
      { batchSize: 100 },
    );
    const first = await batches.next();
    expect(first.value).toHaveLength(100);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const e = await failure(
      (async () => {
        for await (const _ of batches);
      })(),
    );
    expect(e).toBeInstanceOf(OfflineTimeoutError);
  });

  it("closes its DuckDB when the consumer stops early", async () => {
    const source = fileSource("many.parquet");
    let seen = 0;
    for await (const batch of readLatestPerEntity(
      t.offline,
      P,
      source,
      view(source),
      {
        start: new Date(0),
        end: new Date("2030-01-01T00:00:00Z"),
      },
      { batchSize: 1000 },
    )) {
      seen += batch.length;
      if (seen >= 3000) break;
    }
    expect(seen).toBe(3000);
  });
});

describe("registering a file source", () => {
  const base = {
    project: P,
    name: "scores",
    kind: "file" as const,
    path: "ok/scores.parquet",
    fileFormat: "parquet" as const,
    timestampField: "event_ts",
    createdTimestampField: "created",
    fieldMapping: { score: "rating" },
  };
  const create = (over: Record<string, unknown>) =>
    failure(createDataSource({ ctx, input: { ...base, ...over } as typeof base }));

  it("stores a Parquet or CSV file of the area with its path and format, and outputs them", async () => {
    await createDataSource({ ctx, input: base });
    await createDataSource({
      ctx,
      input: { ...base, name: "scores_csv", path: "ok/scores.csv", fileFormat: "csv" },
    });
    const listed = (await listDataSources({ ctx, input: { project: P } })).map((s) => DataSource.parse(s));
    expect(listed.map((s) => [s.name, s.kind, s.path, s.fileFormat, s.tableName, s.query])).toEqual([
      ["scores", "file", "ok/scores.parquet", "parquet", null, null],
      ["scores_csv", "file", "ok/scores.csv", "csv", null, null],
    ]);
    // A view over it is checked against the file's columns too.
    await createFeatureView({
      ctx,
      input: {
        project: P,
        spec: {
          name: "scored",
          entities: ["user"],
          source: "scores",
          ttlSeconds: 0,
          fields: [{ name: "rating", dtype: "float64" }],
        },
      },
    });
    await expect(
      createFeatureView({
        ctx,
        input: {
          project: P,
          spec: {
            name: "typo",
            entities: ["user"],
            source: "scores",
            ttlSeconds: 0,
            fields: [{ name: "ratign", dtype: "float64" }],
          },
        },
      }),
    ).rejects.toMatchObject({ code: "INVALID", field: "fields.0.name" });
  });

  it.each([
    ["no path", { path: undefined }, "path", /needs the path/],
    ["no format", { fileFormat: undefined }, "fileFormat", /needs a format/],
    ["a table name", { tableName: "t" }, "tableName", /a file source has no tableName/],
    ["a query", { query: "select 1" }, "query", /a file source has no query/],
    ["a path on a table source", { kind: "table", tableName: "t" }, "path", /only a file source has a path/],
    ["a missing file", { path: "ok/none.parquet" }, "path", /there is no file "ok\/none.parquet"/],
    ["a path out of the area", { path: "../other/secret.parquet" }, "path", /not a path inside/],
    ["a symbolic link", { path: "link.parquet" }, "path", /symbolic link/],
    ["a file that is not Parquet", { path: "fake.parquet" }, "path", /cannot be read as Parquet/],
    ["a CSV read as Parquet", { path: "ok/scores.csv" }, "path", /cannot be read as Parquet/],
    ["no timestamp column", { timestampField: "when" }, "timestampField", /no timestamp column "when"/],
    [
      "a created column that is not a time",
      { createdTimestampField: "note" },
      "createdTimestampField",
      /created timestamp column "note" must be a date, timestamp or timestamptz/,
    ],
    [
      "a field mapping of a missing column",
      { fieldMapping: { nope: "rating" } },
      "fieldMapping",
      /no column "nope" for field "rating" \(per its field mapping\)/,
    ],
  ])("refuses %s, naming the field", async (_, over, field, pattern) => {
    const e = await create({ name: "refused", ...over });
    expect(e).toMatchObject({ code: "INVALID", field });
    expect(e.message).toMatch(pattern);
    expect(e.message).not.toContain(SECRET);
  });

  it("checks an update the same way", async () => {
    const e = await failure(updateDataSource({ ctx, input: { ...base, path: "linkdir/secret.parquet" } }));
    expect(e).toMatchObject({ code: "INVALID", field: "path" });
  });
});
