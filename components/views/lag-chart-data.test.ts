import { describe, expect, it } from "vitest";
import {
  type Bucket,
  breaches,
  dayTicks,
  lagPoints,
  lagSummary,
  shortDuration,
  utcLabel,
  utcTick,
} from "./lag-chart-data";

const T0 = Date.UTC(2026, 2, 7, 23, 0);
const bucket = (i: number, over: Partial<Bucket> = {}): Bucket => ({
  startMs: T0 + i * 600_000,
  samples: 10,
  maxLagSeconds: 60,
  slaSeconds: 600,
  breachMinutes: 0,
  ...over,
});

describe("lag chart data", () => {
  const buckets = [
    bucket(0),
    bucket(1, { maxLagSeconds: 900, breachMinutes: 4 }),
    bucket(2, { maxLagSeconds: 11_400, breachMinutes: 10 }),
    bucket(3, { samples: 0, maxLagSeconds: null, slaSeconds: null }),
    bucket(4, { maxLagSeconds: 700, breachMinutes: 1 }),
    bucket(5),
  ];

  it("a gap is a null point, so the line breaks", () => {
    expect(lagPoints(buckets).map((p) => p.lag)).toEqual([60, 900, 11_400, null, 700, 60]);
  });

  it("breaches are runs of breached buckets, split by a gap", () => {
    expect(breaches(buckets, 600)).toEqual([
      { from: T0 + 600_000, to: T0 + 3 * 600_000, minutes: 14 },
      { from: T0 + 4 * 600_000, to: T0 + 5 * 600_000, minutes: 1 },
    ]);
  });

  it("sums it up in one sentence", () => {
    expect(lagSummary(buckets, 600, 7)).toBe(
      "Lag over the last 7 days: max 3 h 10 min, 2 breaches totalling 15 min; not sampled for 10 min.",
    );
    expect(lagSummary([bucket(0)], 600, 7)).toBe("Lag over the last 7 days: max 1 min, no SLA breach.");
    expect(lagSummary([bucket(0, { samples: 0 })], 600, 7)).toBe("No lag samples in the last 7 days.");
  });

  it("labels the lag axis in one short unit", () => {
    expect([45, 720, 75_000, 259_200].map(shortDuration)).toEqual(["45 s", "12 min", "20.8 h", "3 d"]);
  });

  it("labels time in UTC", () => {
    expect(utcTick(Date.UTC(2026, 2, 8))).toBe("Mar 8");
    expect(utcTick(Date.UTC(2026, 2, 8, 14, 10))).toBe("14:10");
    expect(utcLabel(Date.UTC(2026, 2, 7, 23, 50))).toBe("Mar 7, 23:50 UTC");
    expect(dayTicks(T0, T0 + 86_400_000)).toEqual([Date.UTC(2026, 2, 8)]);
  });
});
