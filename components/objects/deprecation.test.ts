import { describe, expect, it } from "vitest";
import { deprecationOf } from "./deprecation";

describe("deprecationOf", () => {
  it("is null for an object without the fields (the outputs may not carry them yet) or not deprecated", () => {
    expect(deprecationOf({ name: "driver" })).toBeNull();
    expect(deprecationOf({ deprecatedAt: null, deprecationNote: "x" })).toBeNull();
    expect(deprecationOf(undefined)).toBeNull();
    expect(deprecationOf({ deprecatedAt: "not a date" })).toBeNull();
  });
  it("reads the time (a Date or its ISO text), the note and the replacement; blanks are absent", () => {
    const at = new Date("2026-11-01T00:00:00Z");
    expect(deprecationOf({ deprecatedAt: at, deprecationNote: "use v2", replacedBy: "driver_v2" })).toEqual({
      at,
      note: "use v2",
      replacedBy: "driver_v2",
    });
    expect(
      deprecationOf({ deprecatedAt: "2026-11-01T00:00:00.000Z", deprecationNote: "", replacedBy: null }),
    ).toEqual({
      at,
      note: null,
      replacedBy: null,
    });
  });
});
