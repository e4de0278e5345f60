import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../../test/db";
import type { SourceDef, ViewColumns } from "./source-query";
import { readLatestPerEntity } from "./source-reader";

/**
 * "Latest row per entity in [start, end]" against a tiny in-JS oracle, on random sources with
 * many ties. Where rows tie on both event and created time, any of them is a right answer, so the
 * oracle gives the set of acceptable values.
 */

let t: TestDb;
/** The project; its offline schema has the same name. */
const P = "prop";

const source: SourceDef = {
  name: "prop",
  kind: "table",
  // Unqualified: a table of the project's own schema.
  tableName: "prop_rows",
  query: null,
  timestampField: "ts",
  createdTimestampField: "created",
  fieldMapping: {},
};
const view: ViewColumns = {
  joinKeys: [{ name: "k", valueType: "int32" }],
  fields: [{ name: "v", dtype: "int32" }],
};

interface Row {
  k: number;
  v: number;
  ts: number;
  created: number | null;
}

const minute = (m: number) => new Date(Date.UTC(2026, 0, 1, 0, m));

/** Entity -> values acceptable as its latest in [start, end]. */
function oracle(rows: Row[], start: number, end: number): Map<number, Set<number>> {
  const best = new Map<number, Row[]>();
  // created: null sorts below every time
  const rank = (r: Row) => [r.ts, r.created ?? Number.NEGATIVE_INFINITY] as const;
  for (const r of rows) {
    if (r.ts < start || r.ts > end) continue;
    const kept = best.get(r.k);
    const [ts, cr] = rank(r);
    const [kts, kcr] = kept?.[0] ? rank(kept[0]) : [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
    if (!kept || ts > kts || (ts === kts && cr > kcr)) best.set(r.k, [r]);
    else if (ts === kts && cr === kcr) kept.push(r);
  }
  return new Map([...best].map(([k, rs]) => [k, new Set(rs.map((r) => r.v))]));
}

beforeAll(async () => {
  t = await createTestDb();
  await t.offlineSql(P, "create table prop_rows (k int, v int, ts timestamptz, created timestamptz)");
});

afterAll(async () => {
  await t?.drop();
});

const rowArb = fc.record({
  k: fc.integer({ min: 1, max: 6 }),
  v: fc.integer({ min: 0, max: 1_000_000 }),
  ts: fc.integer({ min: 0, max: 12 }),
  created: fc.option(fc.integer({ min: 0, max: 4 }), { nil: null }),
});

describe("latest per entity (property)", () => {
  it("matches the oracle for random rows, windows and batch sizes", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(rowArb, { maxLength: 40, size: "max" }),
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: 1, max: 5 }),
        async (rows, a, b, batchSize) => {
          const [start, end] = a <= b ? [a, b] : [b, a];
          await t.offlineSql(P, "truncate prop_rows");
          if (rows.length > 0)
            await t.offlineSql(
              P,
              `insert into prop_rows
               select * from unnest($1::int[], $2::int[], $3::timestamptz[], $4::timestamptz[])`,
              [
                rows.map((r) => r.k),
                rows.map((r) => r.v),
                rows.map((r) => minute(r.ts)),
                rows.map((r) => (r.created === null ? null : minute(r.created))),
              ],
            );
          const got = new Map<number, number>();
          for await (const batch of readLatestPerEntity(
            t.offline,
            P,
            source,
            view,
            { start: minute(start), end: minute(end) },
            { batchSize },
          ))
            for (const r of batch) {
              expect(got.has(Number(r.joinKeys.k))).toBe(false);
              got.set(Number(r.joinKeys.k), Number(r.values.v));
            }
          const want = oracle(rows, start, end);
          expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
          for (const [k, v] of got) expect(want.get(k)?.has(v)).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });
});
