import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../../test/db";
import { csvCell, duck, writeCsv, writeParquet } from "../../test/helpers/files";
import type { SourceDef, ViewColumns } from "./source-query";
import { readLatestPerEntity } from "./source-reader";

/**
 * "Latest row per entity in [start, end]" over file sources (DuckDB, file-query.ts), against an
 * oracle in plain TypeScript, on random Parquet and CSV files full of ties on event and created
 * time and NULL created times. Where rows tie on both, any of them is a right answer.
 */

let t: TestDb;
const P = "fileprop";

const view: ViewColumns = {
  joinKeys: [{ name: "k", valueType: "int32" }],
  fields: [{ name: "v", dtype: "int64" }],
};

interface Row {
  k: number | null;
  v: number;
  ts: number;
  created: number | null;
}

/** Minute m of 2026-01-01, plus a microsecond offset (ties then need equal offsets too). */
const minute = (m: number, us = 0) =>
  `${new Date(Date.UTC(2026, 0, 1, 0, m)).toISOString().slice(0, 19)}.${String(us).padStart(6, "0")}Z`;

/** Entity -> values acceptable as its latest in [start, end] (minutes; row times in µs). */
function oracle(rows: Row[], start: number, end: number): Map<number, Set<number>> {
  const best = new Map<number, Row[]>();
  const createdRank = (r: Row) => r.created ?? Number.NEGATIVE_INFINITY;
  for (const r of rows) {
    if (r.k === null || r.ts < start * 60e6 || r.ts > end * 60e6) continue;
    const kept = best.get(r.k);
    const top = kept?.[0];
    if (!top || r.ts > top.ts || (r.ts === top.ts && createdRank(r) > createdRank(top))) best.set(r.k, [r]);
    else if (r.ts === top.ts && createdRank(r) === createdRank(top)) kept?.push(r);
  }
  return new Map([...best].map(([k, rs]) => [k, new Set(rs.map((r) => r.v))]));
}

beforeAll(async () => {
  t = await createTestDb();
});

afterAll(async () => {
  if (!t) return;
  fs.rmSync(t.offline.files.dirOf(P), { recursive: true, force: true });
  await t.drop();
});

/** Times in microseconds from minute 0: whole minutes, or 1 µs after one. */
const timeArb = fc
  .record({ m: fc.integer({ min: 0, max: 12 }), us: fc.constantFrom(0, 0, 1) })
  .map(({ m, us }) => m * 60e6 + us);

const rowArb = fc.record({
  k: fc.option(fc.integer({ min: 1, max: 6 }), { nil: null, freq: 10 }),
  v: fc.integer({ min: -1_000_000, max: 1_000_000 }),
  ts: timeArb,
  created: fc.option(timeArb, { nil: null }),
});

const text = (us: number) => minute(Math.floor(us / 60e6), us % 60e6);

describe("latest per entity over a file (property)", () => {
  it("matches the oracle for random rows, windows, formats and batch sizes", async () => {
    const dir = t.offline.files.dirOf(P);
    await fc.assert(
      fc.asyncProperty(
        fc.array(rowArb, { maxLength: 40, size: "max" }),
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom("parquet" as const, "csv" as const),
        async (rows, a, b, batchSize, format) => {
          const [start, end] = a <= b ? [a, b] : [b, a];
          const cells = (r: Row) => [
            r.k === null ? null : String(r.k),
            String(r.v),
            text(r.ts),
            r.created === null ? null : text(r.created),
          ];
          const file = path.join(dir, `rows.${format}`);
          if (format === "parquet")
            await writeParquet(
              file,
              [
                { name: "k", type: "INTEGER" },
                { name: "v", type: "BIGINT" },
                { name: "ts", type: "TIMESTAMPTZ" },
                { name: "created", type: "TIMESTAMPTZ" },
              ],
              rows.map((r) => {
                const [k, v, ts, created] = cells(r);
                return [
                  duck.cast(k ?? null, "INTEGER"),
                  duck.cast(v ?? null, "BIGINT"),
                  duck.cast(ts ?? null, "TIMESTAMPTZ"),
                  duck.cast(created ?? null, "TIMESTAMPTZ"),
                ];
              }),
            );
          else
            writeCsv(
              file,
              ["k", "v", "ts", "created"],
              rows.map((r) => cells(r).map((c) => csvCell(c ?? null, false))),
            );
          const source: SourceDef = {
            name: "rows",
            kind: "file",
            tableName: null,
            query: null,
            path: `rows.${format}`,
            fileFormat: format,
            timestampField: "ts",
            createdTimestampField: "created",
            fieldMapping: {},
          };
          const got = new Map<number, number>();
          for await (const batch of readLatestPerEntity(
            t.offline,
            P,
            source,
            view,
            { start: new Date(Date.UTC(2026, 0, 1, 0, start)), end: new Date(Date.UTC(2026, 0, 1, 0, end)) },
            { batchSize },
          )) {
            expect(batch.length).toBeLessThanOrEqual(batchSize);
            for (const r of batch) {
              expect(got.has(Number(r.joinKeys.k))).toBe(false);
              expect(typeof r.joinKeys.k).toBe("number");
              got.set(Number(r.joinKeys.k), Number(r.values.v));
            }
          }
          const want = oracle(rows, start, end);
          expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
          for (const [k, v] of got) expect(want.get(k)?.has(v), `entity ${k}`).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);
});
