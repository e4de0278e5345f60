import { describe, expect, it } from "vitest";
import { buildProgress, cellText, formatBytes, formatPercent, isActiveDataset } from "./format";
import { sortedNullRates } from "./null-rates";

describe("dataset formatting", () => {
  it("writes sizes in SI units with at most three significant digits", () => {
    const cases: [number, string][] = [
      [0, "0 B"],
      [999, "999 B"],
      [1000, "1 kB"],
      [1500, "1.5 kB"],
      [12_345, "12.3 kB"],
      [999_499, "999 kB"],
      [12_300_000, "12.3 MB"],
      [4_000_000_000, "4 GB"],
    ];
    for (const [bytes, text] of cases) expect(formatBytes(bytes), String(bytes)).toBe(text);
    expect(formatBytes(-1)).toBe("—");
  });

  it("writes shares as percentages, never rounding a few nulls to 0 or most to 100", () => {
    const cases: [number, string][] = [
      [0, "0%"],
      [0.0004, "<0.1%"],
      [0.125, "12.5%"],
      [0.5, "50%"],
      [0.9996, ">99.9%"],
      [1, "100%"],
    ];
    for (const [share, text] of cases) expect(formatPercent(share), String(share)).toBe(text);
  });

  it("knows progress only with a total", () => {
    expect(buildProgress({ rowsDone: 50, rowsTotal: 200 })).toBe(0.25);
    expect(buildProgress({ rowsDone: 50, rowsTotal: null })).toBeNull();
    expect(buildProgress({ rowsDone: 0, rowsTotal: 0 })).toBeNull();
    expect(buildProgress({ rowsDone: 300, rowsTotal: 200 })).toBe(1);
  });

  it("treats queued and building as active", () => {
    expect(["queued", "building", "ready", "failed", "cancelled"].filter(isActiveDataset)).toEqual([
      "queued",
      "building",
    ]);
  });

  it("shows cells as text, null as null", () => {
    expect(cellText(null)).toBeNull();
    expect(cellText(undefined)).toBeNull();
    expect(cellText(0)).toBe("0");
    expect(cellText(false)).toBe("false");
    expect(cellText("")).toBe("");
    expect(cellText(new Date("2026-11-20T06:00:00Z"))).toBe("2026-11-20T06:00:00.000Z");
    expect(cellText([1, 2])).toBe("[1,2]");
  });

  it("sorts null rates highest first, ties by name", () => {
    expect(sortedNullRates({ b: 0.1, a: 0.1, c: 0.9, d: 0 })).toEqual([
      ["c", 0.9],
      ["a", 0.1],
      ["b", 0.1],
      ["d", 0],
    ]);
  });
});
