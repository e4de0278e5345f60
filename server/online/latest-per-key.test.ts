import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { latestPerKey } from "./latest-per-key";
import type { OnlineRow } from "./types";

const T0 = Date.UTC(2026, 0, 1);
const row = (key: string, s: number, v: string): OnlineRow => ({
  entityKey: key,
  eventTs: new Date(T0 + s * 1000),
  values: { v },
});
const summary = (rows: readonly OnlineRow[]) =>
  rows.map((r) => [r.entityKey, (r.eventTs.getTime() - T0) / 1000, r.values.v]);

describe("latestPerKey", () => {
  it("hands back a batch whose keys strictly increase as it is", () => {
    const rows = [row("a", 3, "x"), row("b", 1, "y"), row("c", 2, "z")];
    expect(latestPerKey(rows)).toBe(rows);
    expect(latestPerKey([])).toEqual([]);
  });

  it("sorts a batch of distinct keys out of order", () => {
    expect(summary(latestPerKey([row("b", 1, "y"), row("a", 3, "x"), row("c", 2, "z")]))).toEqual([
      ["a", 3, "x"],
      ["b", 1, "y"],
      ["c", 2, "z"],
    ]);
  });

  it("keeps the greatest event time per key, the later row among equals, even when keys are sorted", () => {
    // sorted but not strictly increasing: "a" twice in a row
    expect(summary(latestPerKey([row("a", 1, "old"), row("a", 1, "new"), row("b", 0, "b")]))).toEqual([
      ["a", 1, "new"],
      ["b", 0, "b"],
    ]);
    expect(
      summary(
        latestPerKey([
          row("b", 5, "b5"),
          row("a", 9, "a9"),
          row("b", 7, "b7-first"),
          row("a", 2, "a2"),
          row("b", 7, "b7-last"),
          row("b", 6, "b6"),
        ]),
      ),
    ).toEqual([
      ["a", 9, "a9"],
      ["b", 7, "b7-last"],
    ]);
  });

  it("compares keys as strings (code units), not as numbers", () => {
    const keys = ['[["id","10"]]', '[["id","9"]]'];
    const rows = [row(keys[1] ?? "", 1, "nine"), row(keys[0] ?? "", 1, "ten")];
    expect(latestPerKey(rows).map((r) => r.values.v)).toEqual(["ten", "nine"]);
  });

  it("refuses an invalid event time wherever it is, in order or not", () => {
    const bad = { ...row("b", 0, "bad"), eventTs: new Date(Number.NaN) };
    expect(() => latestPerKey([row("a", 0, "a"), bad, row("c", 0, "c")])).toThrow(/invalid event time/);
    expect(() => latestPerKey([row("c", 0, "c"), row("a", 0, "a"), bad])).toThrow(/invalid event time/);
  });

  it("agrees with the rule written out longhand on any batch", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ k: fc.constantFrom("a", "b", "c", "d", "aa", "B"), s: fc.integer({ min: 0, max: 3 }) }),
          { maxLength: 30 },
        ),
        fc.boolean(),
        (draws, sortFirst) => {
          const drawn = sortFirst ? [...draws].sort((x, y) => (x.k < y.k ? -1 : x.k > y.k ? 1 : 0)) : draws;
          const rows = drawn.map((d, i) => row(d.k, d.s, `#${i}`));
          // the oracle: for each key, scan every row; greatest time, then greatest position
          const keys = [...new Set(rows.map((r) => r.entityKey))].sort();
          const expected = keys.map((k) => {
            let best: OnlineRow | undefined;
            for (const r of rows)
              if (r.entityKey === k && (!best || r.eventTs.getTime() >= best.eventTs.getTime())) best = r;
            return best;
          });
          expect(latestPerKey(rows)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
