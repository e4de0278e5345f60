import { describe, expect, it } from "vitest";
import { assembleStatistics, planDistribution } from "./assemble";
import { populationStabilityIndex } from "./psi";

describe("populationStabilityIndex", () => {
  it("is 0 for the same shares, whatever the totals", () => {
    expect(populationStabilityIndex([1, 2, 1], [10, 20, 10])).toBe(0);
  });

  it("matches a value worked out by hand", () => {
    // shares 0.5/0.5 against 0.9/0.1: 0.4 ln 1.8 + (-0.4) ln 0.2 = 0.2351 + 0.6438
    expect(populationStabilityIndex([50, 50], [90, 10])).toBeCloseTo(
      0.4 * Math.log(1.8) - 0.4 * Math.log(0.2),
      12,
    );
    expect(populationStabilityIndex([50, 50], [90, 10])).toBeCloseTo(0.87889, 4);
  });

  it("counts an emptied or a new bucket with ε = 1e-4", () => {
    // [1, 0] against [0, 1]: 2 · (1 − 1e-4) · ln(1 / 1e-4)
    expect(populationStabilityIndex([1, 0], [0, 1])).toBeCloseTo(2 * 0.9999 * Math.log(1e4), 9);
  });
});

describe("assembleStatistics", () => {
  const features = [
    { name: "x", dtype: "float64" as const },
    { name: "s", dtype: "string" as const },
  ];

  it("makes a one-bin histogram when every value is the same, and counts 'other' top values", () => {
    const summary = { n: 4, outside: 1, c0: 3, d0: 1, mn0: 2, mx0: 2, av0: 2, sd0: 0, c1: 4, d1: 12 };
    const plans = planDistribution(features, summary, new Map());
    expect(plans[0]).toEqual({ kind: "numeric", own: { lo: 2, hi: 2, bins: 1 }, previous: null });
    const [x, s] = assembleStatistics({
      features,
      dialect: "postgres",
      summary,
      plans,
      previous: new Map(),
      distribution: [
        { f: 0, g: 0, b: 0, v: null, n: 3 },
        { f: 1, g: 0, b: null, v: "b", n: 1 },
        { f: 1, g: 0, b: null, v: "a", n: 1 },
      ],
    });
    expect(x).toMatchObject({
      count: 4,
      nulls: 1,
      outsideTtl: 0.25,
      histogram: [{ lo: 2, hi: 2, count: 3 }],
    });
    // Ties sort by value; 4 non-null values, 2 of them listed.
    expect(s?.topValues).toEqual({
      values: [
        { value: "a", count: 1 },
        { value: "b", count: 1 },
      ],
      other: 2,
    });
  });
});
