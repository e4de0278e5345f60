import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isoSeconds, parseFeatureValue, parseInteger, parseJoinKey, parseTimestamp } from "./values";

describe("parseTimestamp", () => {
  it("reads ISO-8601 with or without a zone (none = UTC), dates, and Unix seconds", () => {
    const at = (s: string | number) => parseTimestamp(s)?.toISOString();
    expect(at("2026-01-31T23:00:00Z")).toBe("2026-01-31T23:00:00.000Z");
    expect(at("2026-01-31T23:00:00")).toBe("2026-01-31T23:00:00.000Z");
    expect(at("2026-01-31 23:00")).toBe("2026-01-31T23:00:00.000Z");
    expect(at("2026-01-31")).toBe("2026-01-31T00:00:00.000Z");
    expect(at("2026-02-01T00:30:00+01:00")).toBe("2026-01-31T23:30:00.000Z");
    expect(at("2026-01-31T18:00:00-0530")).toBe("2026-01-31T23:30:00.000Z");
    expect(at("2026-01-31T23:00:00.123456789Z")).toBe("2026-01-31T23:00:00.123Z");
    expect(at(1769900400)).toBe("2026-01-31T23:00:00.000Z");
    expect(at(1769900400.5)).toBe("2026-01-31T23:00:00.500Z");
  });

  it("refuses what is not a real instant", () => {
    for (const bad of [
      "",
      "yesterday",
      "2026-02-30",
      "2026-13-01",
      "2026-01-01T24:00:00Z",
      "2026-01-01T00:00:00+1",
      "1e3",
    ])
      expect(parseTimestamp(bad), bad).toBeUndefined();
    for (const bad of [null, true, {}, [], Number.NaN, Number.POSITIVE_INFINITY])
      expect(parseTimestamp(bad), String(bad)).toBeUndefined();
  });

  it("reads back every instant toISOString writes", () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date("0001-01-01T00:00:00Z"),
          max: new Date("9999-12-31T23:59:59Z"),
          noInvalidDate: true,
        }),
        (d) => {
          expect(parseTimestamp(d.toISOString())?.getTime()).toBe(d.getTime());
        },
      ),
    );
  });
});

describe("isoSeconds", () => {
  it("gives UTC whole seconds with Z, like Feast", () => {
    expect(isoSeconds(new Date("2026-01-31T23:00:00.999Z"))).toBe("2026-01-31T23:00:00Z");
    expect(isoSeconds(new Date(0))).toBe("1970-01-01T00:00:00Z");
    expect(isoSeconds(new Date(-1))).toBe("1969-12-31T23:59:59Z");
  });
});

describe("parseInteger", () => {
  it("takes safe integers and decimal strings within range, canonically", () => {
    expect(parseInteger(1001, "int64")).toBe(1001);
    expect(parseInteger("001001", "int64")).toBe(1001);
    expect(parseInteger("-0", "int64")).toBe(0);
    expect(parseInteger("9223372036854775807", "int64")).toBe("9223372036854775807");
    expect(parseInteger("9223372036854775808", "int64")).toBeUndefined();
    expect(parseInteger(2 ** 31, "int32")).toBeUndefined();
    expect(parseInteger(-(2 ** 31), "int32")).toBe(-(2 ** 31));
    for (const bad of [1.5, "1.0", "1e3", " 1", "", null, true, 2 ** 53])
      expect(parseInteger(bad, "int64"), String(bad)).toBeUndefined();
  });

  it("gives the same key for a number and its decimal string", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (n) => {
        const fromString = parseInteger(n.toString(), "int64");
        expect(String(fromString)).toBe(n.toString());
        if (Number.isSafeInteger(Number(n))) expect(parseInteger(Number(n), "int64")).toBe(fromString);
      }),
    );
  });
});

describe("parseJoinKey and parseFeatureValue", () => {
  it("check join keys by type", () => {
    expect(parseJoinKey("abc", "string")).toBe("abc");
    expect(parseJoinKey(1, "string")).toBeUndefined();
    expect(parseJoinKey("AQI=", "bytes")).toBe("AQI=");
    expect(parseJoinKey("not base64!", "bytes")).toBeUndefined();
  });

  it("convert features to their online and offline forms", () => {
    expect(parseFeatureValue(null, "float64")).toEqual({ online: null, offline: null });
    expect(parseFeatureValue(0.5, "float32")).toEqual({ online: 0.5, offline: 0.5 });
    expect(parseFeatureValue("0.5", "float64")).toBeUndefined();
    expect(parseFeatureValue(true, "bool")).toEqual({ online: true, offline: true });
    expect(parseFeatureValue(1, "bool")).toBeUndefined();
    expect(parseFeatureValue("AQI=", "bytes")).toEqual({ online: "AQI=", offline: Buffer.from([1, 2]) });
    expect(parseFeatureValue("2026-01-31T23:00:00+01:00", "unix_timestamp")).toEqual({
      online: "2026-01-31T22:00:00.000Z",
      offline: new Date("2026-01-31T22:00:00.000Z"),
    });
    expect(parseFeatureValue([1, null, "3"], "list<int64>")).toEqual({
      online: [1, null, 3],
      offline: [1, null, 3],
    });
    expect(parseFeatureValue([1, "x"], "list<int64>")).toBeUndefined();
    expect(parseFeatureValue(1, "list<int64>")).toBeUndefined();
  });
});
