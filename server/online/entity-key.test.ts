import { describe, expect, it } from "vitest";
import { entityKey, entityKeysOfColumns } from "./entity-key";

/** The column-wise builder serving uses must give entityKey's bytes, or lookups would miss rows. */
describe("entityKeysOfColumns", () => {
  const awkward = ['a"b', "back\\slash", "ünï", "😀", "", "1001", "line\nbreak", "\u2028", "x".repeat(300)];

  it("gives entityKey's key for every row, whatever the names' order and the values", () => {
    const names = ["zone", "driver_id", "Zed", "_k", "a b"];
    const rows = 200;
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    const pick = (): string | number | bigint => {
      const r = rand() % 4;
      if (r === 0) return awkward[rand() % awkward.length] ?? "";
      if (r === 1) return rand() - 2 ** 30;
      if (r === 2) return BigInt(rand()) * 10_000_000_000n;
      return (rand() % 1000) / 7;
    };
    for (const width of [1, 2, 5]) {
      const used = names.slice(0, width);
      const columns = used.map(() => Array.from({ length: rows }, pick));
      const keys = entityKeysOfColumns(used, columns, rows);
      for (let r = 0; r < rows; r++)
        expect(keys[r]).toBe(entityKey(Object.fromEntries(used.map((n, i) => [n, columns[i]?.[r] ?? ""]))));
    }
  });

  it("treats a number and its string alike, as entityKey does", () => {
    const [a, b] = entityKeysOfColumns(["driver_id"], [[1001, "1001"]], 2);
    expect(a).toBe(b);
    expect(a).toBe(entityKey({ driver_id: 1001 }));
  });
});
