import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ABSENT,
  decodeAll,
  decodeRow,
  featureList,
  fpHex,
  HEADER_BYTES,
  plan,
  RowWriter,
  rowEventMs,
  rowFingerprint,
} from "./redis-codec";

/** What a value reads back as: what JSON would carry (the online store's contract), -0 kept. */
const asJson = (v: unknown): unknown => (v === undefined ? ABSENT : jsonOf(v));

/** JSON's reading of a value, except that a number stays itself (JSON.parse turns -0 into 0). */
function jsonOf(v: unknown): unknown {
  if (typeof v === "number") return v;
  if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : jsonOf(x)));
  return JSON.parse(JSON.stringify(v));
}

const jsonValue = fc.letrec((tie) => ({
  scalar: fc.oneof(
    fc.integer(),
    fc.integer({ min: -64, max: 300 }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.float({ noNaN: true, noDefaultInfinity: true }).map((f) => Math.fround(f)),
    fc.maxSafeInteger(),
    fc.string({ maxLength: 80 }),
    fc.string({ unit: "grapheme", maxLength: 30 }),
    fc.boolean(),
    fc.constant(null),
    fc.bigInt({ min: 2n ** 53n, max: 2n ** 64n }).map(String),
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  ),
  value: fc.oneof({ depthSize: "small" }, tie("scalar"), fc.array(tie("value"), { maxLength: 5 })),
}));

describe("the online row codec", () => {
  it("round-trips every value as JSON carries it, with the event time and fingerprint", () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.stringMatching(/^[a-z][a-z0-9_]{0,12}$/),
          fc.option(jsonValue.value, { nil: undefined }),
        ),
        fc.integer({ min: -8.64e15, max: 8.64e15 }),
        (values, ms) => {
          const names = Object.keys(values);
          const list = featureList(names);
          const w = new RowWriter(16); // tiny: every row makes it grow
          const rows = [w.row(ms, list, values), w.row(ms + 1, list, values)];
          rows.forEach((row, i) => {
            expect(rowEventMs(row)).toBe(ms + i);
            expect(rowFingerprint(row)).toBe(list.fp);
            const back = decodeAll(row, names.length);
            expect(back).toEqual(names.map((n) => asJson(values[n])));
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it("decodes only the requested features, in the request's order, skipping the rest", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[a-z]{1,6}$/), { minLength: 1, maxLength: 12 }),
        fc.array(jsonValue.value, { minLength: 12, maxLength: 12 }),
        fc.array(fc.nat(14), { maxLength: 8 }),
        (names, vals, picks) => {
          const values = Object.fromEntries(names.map((n, i) => [n, vals[i]]));
          const requested = picks.map((p) => names[p] ?? `missing${p}`);
          const row = new RowWriter().row(0, featureList(names), values);
          const out = new Array<unknown>(requested.length);
          decodeRow(row, plan(names, requested), out);
          requested.forEach((f, j) => {
            const first = requested.indexOf(f) === j;
            // a feature the list lacks, or asked twice (taken once), reads as absent
            expect(out[j]).toEqual(first && names.includes(f) ? asJson(values[f]) : ABSENT);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it("keeps to its byte layout (values by hand)", () => {
    const list = featureList(["a", "b", "c", "d", "e"]);
    const row = new RowWriter().row(1000, list, { a: 5, b: "hi", c: null, d: -0, e: undefined });
    const pi = new RowWriter().row(0, featureList(["p"]), { p: Math.PI });
    expect([...pi.subarray(HEADER_BYTES)]).toEqual([
      0x04,
      ...Buffer.from(new Float64Array([Math.PI]).buffer),
    ]);
    expect(row[0]).toBe(1);
    expect(row.readDoubleLE(1)).toBe(1000);
    expect(fpHex(row.readUIntLE(9, 6))).toBe(fpHex(list.fp));
    expect([...row.subarray(HEADER_BYTES)]).toEqual([
      0x45, // int 5 in the tag
      0x82,
      0x68,
      0x69, // short string of 2 bytes: "hi"
      0x01, // null
      0x05,
      0x00,
      0x00,
      0x00,
      0x80, // -0 as a float32 (exact: it keeps the sign)
      0x00, // absent
    ]);
    expect(Object.is(decodeAll(row, 5)[3], -0)).toBe(true);
    // NaN and infinities become null, as JSON makes them
    expect(
      decodeAll(new RowWriter().row(0, featureList(["x", "y"]), { x: Number.NaN, y: -Infinity }), 2),
    ).toEqual([null, null]);
  });

  it("refuses a value JSON cannot carry", () => {
    expect(() => new RowWriter().row(0, featureList(["f"]), { f: () => 1 })).toThrow(/feature "f"/);
    expect(() => new RowWriter().row(0, featureList(["f"]), { f: 10n })).toThrow();
  });
});
