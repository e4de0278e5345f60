import { describe, expect, it } from "vitest";
import { defaultBackfillRange, fromUtcInput, readBackfillRange, toUtcInput } from "./backfill-range";

const NOW = new Date("2026-12-01T14:37:12Z");

describe("backfill range", () => {
  it("reads datetime-local values as UTC, with or without seconds", () => {
    expect(fromUtcInput("2026-11-27T04:00")?.toISOString()).toBe("2026-11-27T04:00:00.000Z");
    expect(fromUtcInput("2026-11-27T04:00:30")?.toISOString()).toBe("2026-11-27T04:00:30.000Z");
    expect(toUtcInput(new Date("2026-01-05T09:07:00Z"))).toBe("2026-01-05T09:07");
  });

  it("refuses what is not a date and time, including days that roll over", () => {
    expect(fromUtcInput("")).toBeUndefined();
    expect(fromUtcInput("yesterday")).toBeUndefined();
    expect(fromUtcInput("2026-02-31T00:00")).toBeUndefined();
    expect(fromUtcInput("2026-01-01T24:00")).toBeUndefined();
  });

  it("accepts a past window and names each field's problem otherwise", () => {
    expect(readBackfillRange("2026-11-01T00:00", "2026-11-08T00:00", NOW)).toEqual({
      ok: true,
      start: new Date("2026-11-01T00:00:00Z"),
      end: new Date("2026-11-08T00:00:00Z"),
    });
    expect(readBackfillRange("", "", NOW)).toEqual({
      ok: false,
      errors: { start: "Enter a start time", end: "Enter an end time" },
    });
    expect(readBackfillRange("2026-11-08T00:00", "2026-11-01T00:00", NOW)).toEqual({
      ok: false,
      errors: { start: "The start must be before the end" },
    });
    expect(readBackfillRange("2026-11-08T00:00", "2026-11-08T00:00", NOW)).toMatchObject({ ok: false });
    expect(readBackfillRange("2026-11-01T00:00", "2026-12-02T00:00", NOW)).toEqual({
      ok: false,
      errors: { end: "The end is in the future; a backfill recomputes the past" },
    });
    expect(readBackfillRange("soon", "2026-11-01T00:00", NOW)).toEqual({
      ok: false,
      errors: { start: "Not a date and time" },
    });
  });

  it("offers the 7 days before the last full hour", () => {
    expect(defaultBackfillRange(NOW)).toEqual({ start: "2026-11-24T14:00", end: "2026-12-01T14:00" });
  });
});
