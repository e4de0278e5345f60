import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { duckString, withDuckDb } from "./duckdb";
import { OfflineTimeoutError } from "./errors";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "quiver-duckdb-"));
const mine = path.join(root, "mine");
const theirs = path.join(root, "theirs");
fs.mkdirSync(mine);
fs.mkdirSync(theirs);
fs.writeFileSync(path.join(theirs, "secret.csv"), "a\n42\n");
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const opts = { allowedDirs: [mine], timeoutMs: 10_000 };
const rows = async (sql: string) =>
  withDuckDb(opts, async (c) => (await c.runAndReadAll(sql)).getRowObjectsJson());

describe("the sandboxed DuckDB", () => {
  it("reads and writes inside its folder", async () => {
    const file = path.join(mine, "x.parquet");
    await withDuckDb(opts, (c) => c.run(`COPY (SELECT 7 AS a) TO ${duckString(file)} (FORMAT parquet)`));
    expect(await rows(`SELECT a FROM read_parquet(${duckString(file)})`)).toEqual([{ a: 7 }]);
  });

  it.each([
    ["another project's file", `SELECT * FROM read_csv(${duckString(path.join(theirs, "secret.csv"))})`],
    ["a path that climbs out", `SELECT * FROM read_csv(${duckString(`${mine}/../theirs/secret.csv`)})`],
    ["a system file", "SELECT * FROM read_csv('/etc/passwd')"],
    ["a listing of the root", `SELECT * FROM glob(${duckString(`${root}/*`)})`],
    ["turning access back on", "SET enable_external_access = true"],
    ["widening the folders", "SET allowed_directories = ['/']"],
    ["installing an extension", "INSTALL httpfs"],
    ["writing elsewhere", `COPY (SELECT 1) TO ${duckString(path.join(theirs, "y.csv"))}`],
  ])("refuses %s", async (_, sql) => {
    await expect(rows(sql)).rejects.toThrow(/Permission|locked|disabled/);
    expect(fs.existsSync(path.join(theirs, "y.csv"))).toBe(false);
  });

  it("interrupts a statement at its deadline and says so", async () => {
    const started = Date.now();
    const slow = withDuckDb({ ...opts, timeoutMs: 200 }, (c) =>
      c.run("SELECT count(*) FROM range(100000000000) a"),
    );
    await expect(slow).rejects.toBeInstanceOf(OfflineTimeoutError);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it("runs in UTC whatever the process's TZ", async () => {
    expect(
      await rows(
        "SELECT current_setting('TimeZone') AS tz, (TIMESTAMPTZ '2026-01-01 00:00:00+00')::VARCHAR AS t",
      ),
    ).toEqual([{ tz: "UTC", t: "2026-01-01 00:00:00+00" }]);
  });

  it("quotes string literals", () => {
    expect(duckString("it's")).toBe("'it''s'");
    expect(() => duckString("a\u0000b")).toThrow();
  });
});
