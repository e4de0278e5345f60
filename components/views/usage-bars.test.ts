import { describe, expect, it } from "vitest";
import { EMPTY_BAR, usageBars, usageSummary, utcText } from "./usage-bars";

describe("usageBars", () => {
  it("gives each day a slot, the busiest day the full height and a day without reads a hairline", () => {
    const bars = usageBars(
      [
        { day: "2026-03-08", reads: 0 },
        { day: "2026-03-09", reads: 5 },
        { day: "2026-03-10", reads: 10 },
      ],
      300,
      100,
      0,
    );
    expect(bars).toEqual([
      { day: "2026-03-08", reads: 0, x: 0, y: 100 - EMPTY_BAR, width: 100, height: EMPTY_BAR },
      { day: "2026-03-09", reads: 5, x: 100, y: 50, width: 100, height: 50 },
      { day: "2026-03-10", reads: 10, x: 200, y: 0, width: 100, height: 100 },
    ]);
  });

  it("keeps a single read visible beside a busy day, and leaves gaps between bars", () => {
    const [one, many] = usageBars(
      [
        { day: "2026-03-09", reads: 1 },
        { day: "2026-03-10", reads: 1_000_000 },
      ],
      20,
      80,
      0.5,
    );
    expect(one).toMatchObject({ x: 2.5, width: 5, height: 2, y: 78 });
    expect(many).toMatchObject({ x: 12.5, width: 5, height: 80, y: 0 });
  });

  it("draws only hairlines when nothing was read", () => {
    expect(usageBars([{ day: "2026-03-10", reads: 0 }], 10, 50, 0)).toEqual([
      { day: "2026-03-10", reads: 0, x: 0, y: 49, width: 10, height: 1 },
    ]);
    expect(usageBars([], 10, 50)).toEqual([]);
  });
});

describe("usageSummary", () => {
  it("says the range, the total and the busiest day", () => {
    expect(
      usageSummary([
        { day: "2026-03-08", reads: 1200 },
        { day: "2026-03-09", reads: 0 },
        { day: "2026-03-10", reads: 1500 },
      ]),
    ).toBe(
      "Reads per day, 3 days, 2026-03-08 to 2026-03-10 (UTC): 2,700 reads in all, most on 2026-03-10 (1,500)",
    );
    expect(usageSummary([{ day: "2026-03-10", reads: 0 }])).toBe(
      "Reads per day, 1 day, 2026-03-10 to 2026-03-10 (UTC): no reads",
    );
  });
});

describe("utcText", () => {
  it("writes the instant in UTC whatever the local zone", () => {
    expect(utcText(new Date("2026-03-10T23:30:05.250-05:00"))).toBe("2026-03-11 04:30:05 UTC");
  });
});
