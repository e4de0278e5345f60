import { describe, expect, it } from "vitest";
import { InvalidError } from "./errors";
import { findNul, rejectNul } from "./text";

describe("findNul", () => {
  it("finds a NUL in strings, arrays, keys, Maps and Sets, with the path to it", () => {
    expect(findNul("a\u0000")).toEqual({ field: "" });
    expect(findNul({ a: [{ b: "x" }, { b: "y\u0000z" }] })).toEqual({ field: "a.1.b" });
    expect(findNul({ tags: { "t\u0000": "v" } })).toEqual({ field: "tags", key: "t\u0000" });
    expect(findNul({ m: new Map([["k", "v\u0000"]]) })).toEqual({ field: "m.k" });
    expect(findNul({ s: new Set(["ok", "\u0000"]) })).toEqual({ field: "s.1" });
  });

  it("passes inputs without one, other types and cycles", () => {
    const cyclic: Record<string, unknown> = { a: "ok" };
    cyclic.self = cyclic;
    for (const ok of [undefined, null, 1, true, new Date(0), "", "a\\u0000", { a: ["b", 2] }, cyclic])
      expect(findNul(ok)).toBeUndefined();
  });
});

describe("rejectNul", () => {
  it("throws an InvalidError naming the field", () => {
    expect(() => rejectNul({ description: "a\u0000" })).toThrow(
      new InvalidError("description: must not contain the NUL character (\\u0000)", "description"),
    );
    expect(() => rejectNul({ "k\u0000": 1 })).toThrow('input: key "k\\u0000" must not contain');
    const err = (() => {
      try {
        rejectNul({ "k\u0000": 1 });
      } catch (e) {
        return e as InvalidError;
      }
    })();
    expect(err?.field).toBeUndefined();
    expect(() => rejectNul({ a: ["ok"] })).not.toThrow();
  });
});
