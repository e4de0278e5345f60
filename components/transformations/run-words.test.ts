import { describe, expect, it } from "vitest";
import { nextRunWords, runWindowText } from "./run-words";

describe("run words", () => {
  it("names a run's window in UTC, or the whole table for a full refresh", () => {
    const start = new Date("2026-11-20T00:00:00Z");
    const end = new Date("2026-11-27T04:30:15Z");
    expect(runWindowText({ mode: "backfill", startTs: start, endTs: end })).toBe(
      "2026-11-20 00:00 → 2026-11-27 04:30:15",
    );
    expect(runWindowText({ mode: "incremental", startTs: start, endTs: end })).toBe(
      "2026-11-20 00:00 → 2026-11-27 04:30:15",
    );
    expect(runWindowText({ mode: "full", startTs: null, endTs: null })).toBe("whole table");
  });

  it("says what Run will do", () => {
    expect(nextRunWords({ incremental: false, computedUntil: new Date() })).toBe(
      "a full refresh (this SQL cannot run incrementally)",
    );
    expect(nextRunWords({ incremental: true, computedUntil: null })).toBe(
      "a full refresh (nothing computed yet)",
    );
    expect(nextRunWords({ incremental: true, computedUntil: new Date("2026-11-27T04:00:00Z") })).toMatch(
      /^incremental, from 2026-11-27 04:00 UTC to now/,
    );
  });
});
