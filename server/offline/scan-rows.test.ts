import fc from "fast-check";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { entityKey } from "../online/entity-key";
import { parseUtcTimestamptz, SCAN_TYPES, sourceRowConverter } from "./scan-rows";
import { CREATED_TS, EVENT_TS, type ViewColumns } from "./source-query";

const pgParse = pg.types.getTypeParser(1184) as (text: string) => unknown;
const fast = (text: string) => parseUtcTimestamptz(text, pgParse);
const time = (v: unknown) => (v instanceof Date ? v.getTime() : v);

describe("parseUtcTimestamptz", () => {
  it("reads what a UTC session prints, to the millisecond", () => {
    const cases: [string, string][] = [
      ["2026-01-01 10:00:00+00", "2026-01-01T10:00:00.000Z"],
      ["2026-01-01 10:00:00.5+00", "2026-01-01T10:00:00.500Z"],
      ["2026-01-01 10:00:00.123456+00", "2026-01-01T10:00:00.123Z"],
      ["2026-01-01 10:00:00.999999+00", "2026-01-01T10:00:00.999Z"],
      ["1969-12-31 23:59:59.9995+00", "1969-12-31T23:59:59.999Z"],
      ["2024-02-29 23:59:59.001+00", "2024-02-29T23:59:59.001Z"],
      ["0050-06-01 00:00:00+00", "0050-06-01T00:00:00.000Z"],
      ["9999-12-31 23:59:59.999999+00", "9999-12-31T23:59:59.999Z"],
    ];
    for (const [text, iso] of cases) {
      const d = fast(text);
      expect(d, text).toBeInstanceOf(Date);
      expect((d as Date).toISOString(), text).toBe(iso);
    }
  });

  it("hands every other form to pg's parser", () => {
    for (const text of [
      "infinity",
      "-infinity",
      "2026-01-01 10:00:00+05:30",
      "2026-01-01 10:00:00-08",
      "0044-03-15 12:00:00+00 BC",
      "12026-01-01 00:00:00+00",
      "2026-01-01 10:00:00.+00",
      "2026-01-01T10:00:00+00",
      "2026-01-01 10:00:0x+00",
    ])
      expect(time(fast(text)), text).toEqual(time(pgParse(text)));
  });

  it("agrees with pg's parser on any instant printed as Postgres prints it", () => {
    const two = (n: number) => String(n).padStart(2, "0");
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9999 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 28 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 59 }),
        fc.option(fc.stringMatching(/^[0-9]{1,6}$/)),
        (y, mo, d, h, mi, s, frac) => {
          // Postgres drops trailing zeros of the fraction, and the fraction when it is zero
          const f = frac?.replace(/0+$/, "");
          const text = `${String(y).padStart(4, "0")}-${two(mo)}-${two(d)} ${two(h)}:${two(mi)}:${two(s)}${f ? `.${f}` : ""}+00`;
          expect(time(fast(text))).toBe(time(pgParse(text)));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("is what scan queries parse timestamptz with; other types keep pg's parsers", () => {
    const parse = SCAN_TYPES.getTypeParser(1184, "text") as (t: string) => unknown;
    expect(time(parse("2026-01-01 10:00:00.25+00"))).toBe(Date.UTC(2026, 0, 1, 10, 0, 0, 250));
    expect(SCAN_TYPES.getTypeParser(701)).toBe(pg.types.getTypeParser(701));
    expect(SCAN_TYPES.getTypeParser(pg.types.builtins.DATE)).toBe(
      pg.types.getTypeParser(pg.types.builtins.DATE),
    );
  });
});

describe("sourceRowConverter", () => {
  const at = new Date(Date.UTC(2026, 0, 1));
  const scanRow = (keys: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    ...keys,
    [EVENT_TS]: at,
    [CREATED_TS]: null,
    ...extra,
  });

  it("gives one join key's entity key exactly as entityKey() does, whatever the value", () => {
    const view: ViewColumns = { joinKeys: [{ name: "id", valueType: "string" }], fields: [] };
    const convert = sourceRowConverter(view);
    for (const id of ["1", "", 'a "quoted" \\ back', "line\nbreak\u0001", "héllo 🚀", "}{:", "\u2028"])
      expect(convert(scanRow({ id })).entityKey, id).toBe(entityKey({ id }));
    const ints = sourceRowConverter({ joinKeys: [{ name: "driver id", valueType: "int64" }], fields: [] });
    for (const id of ["7", "-3", "9007199254740993"])
      expect(ints(scanRow({ "driver id": id })).entityKey).toBe(entityKey({ "driver id": id }));
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (id) => {
        expect(convert(scanRow({ id })).entityKey).toBe(entityKey({ id }));
      }),
    );
  });

  it("converts keys, values and times as the general conversions do", () => {
    const view: ViewColumns = {
      joinKeys: [
        { name: "b", valueType: "int64" },
        { name: "a", valueType: "string" },
      ],
      fields: [
        { name: "n", dtype: "int64" },
        { name: "x", dtype: "float64" },
        { name: "t", dtype: "unix_timestamp" },
      ],
    };
    const created = new Date(Date.UTC(2026, 0, 2));
    const row = sourceRowConverter(view)(
      scanRow(
        { b: "12", a: "z" },
        { n: "9007199254740993", x: Number.NaN, t: created, [CREATED_TS]: created },
      ),
    );
    expect(row).toEqual({
      entityKey: '[["a","z"],["b","12"]]',
      joinKeys: { b: 12, a: "z" },
      values: { n: "9007199254740993", x: null, t: "2026-01-02T00:00:00.000Z" },
      eventTs: at,
      createdTs: created,
    });
  });

  it("refuses a row without a valid event time", () => {
    const convert = sourceRowConverter({ joinKeys: [{ name: "id", valueType: "int64" }], fields: [] });
    expect(() => convert(scanRow({ id: "1" }, { [EVENT_TS]: Number.POSITIVE_INFINITY }))).toThrow(
      /no valid event timestamp/,
    );
  });
});
