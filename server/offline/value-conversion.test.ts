import { describe, expect, it } from "vitest";
import { toJoinKeyValue, toOnlineValue } from "./value-conversion";

describe("toOnlineValue", () => {
  it("keeps nulls", () => {
    expect(toOnlineValue(null, "int64", "f")).toBeNull();
    expect(toOnlineValue(undefined, "list<string>", "f")).toBeNull();
  });

  it("gives int64 as a number when safe, else as its exact decimal text", () => {
    expect(toOnlineValue("42", "int64", "f")).toBe(42);
    expect(toOnlineValue("-9007199254740991", "int64", "f")).toBe(-9007199254740991);
    expect(toOnlineValue("9007199254740993", "int64", "f")).toBe("9007199254740993");
    expect(toOnlineValue("12.50", "int64", "f")).toBe("12.50");
    expect(() => toOnlineValue("abc", "int64", "f")).toThrow(/feature "f" is declared int64/);
  });

  it("reads numeric text as floats and drops non-finite values", () => {
    expect(toOnlineValue("0.25", "float64", "f")).toBe(0.25);
    expect(toOnlineValue(0.5, "float32", "f")).toBe(0.5);
    expect(toOnlineValue(Number.NaN, "float64", "f")).toBeNull();
    expect(toOnlineValue("Infinity", "float64", "f")).toBeNull();
  });

  it("encodes bytes as base64 and times as ISO strings", () => {
    expect(toOnlineValue(Buffer.from([0, 1, 255]), "bytes", "f")).toBe("AAH/");
    expect(toOnlineValue(new Date("2026-01-02T03:04:05.678Z"), "unix_timestamp", "f")).toBe(
      "2026-01-02T03:04:05.678Z",
    );
    expect(toOnlineValue(Number.POSITIVE_INFINITY, "unix_timestamp", "f")).toBeNull();
    expect(() => toOnlineValue("yesterday", "unix_timestamp", "f")).toThrow(/unix_timestamp/);
  });

  it("converts list elements by element type, keeping null elements", () => {
    expect(toOnlineValue(["1", null, "9007199254740993"], "list<int64>", "f")).toEqual([
      1,
      null,
      "9007199254740993",
    ]);
    expect(toOnlineValue([Buffer.from("hi")], "list<bytes>", "f")).toEqual(["aGk="]);
    expect(toOnlineValue([true, false], "list<bool>", "f")).toEqual([true, false]);
    expect(() => toOnlineValue(3, "list<int32>", "f")).toThrow(/not an array/);
  });
});

describe("toJoinKeyValue", () => {
  it("keeps ids exact", () => {
    expect(toJoinKeyValue("1001", "int64", "driver_id")).toBe(1001);
    expect(toJoinKeyValue("9007199254740993", "int64", "driver_id")).toBe("9007199254740993");
    expect(toJoinKeyValue("abc", "string", "k")).toBe("abc");
    expect(toJoinKeyValue(Buffer.from("x"), "bytes", "k")).toBe("eA==");
    expect(() => toJoinKeyValue(null, "string", "k")).toThrow(/join key "k" is null/);
  });
});
