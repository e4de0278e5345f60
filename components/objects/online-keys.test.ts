import { describe, expect, it } from "vitest";
import { exampleKeys, keysText, parseKeys } from "./online-keys";

const driver = [{ name: "driver_id", valueType: "int64" }];

describe("exampleKeys", () => {
  it("takes the distinct keys of the first offline rows, integers as numbers", () => {
    const preview = {
      columns: [
        { name: "driver_id", role: "key" },
        { name: "event_timestamp", role: "time" },
      ],
      rows: [
        ["1001", "t1"],
        ["1001", "t2"],
        [null, "t3"],
        ["1002", "t4"],
        ["99999999999999999999", "t5"],
        ["1003", "t6"],
      ],
    };
    expect(exampleKeys(driver, preview)).toEqual({
      entities: { driver_id: [1001, 1002, "99999999999999999999"] },
      real: true,
    });
  });

  it("falls back to placeholders without rows or without the key column", () => {
    expect(exampleKeys(driver, undefined)).toEqual({ entities: { driver_id: [1001, 1002] }, real: false });
    expect(exampleKeys([{ name: "rider", valueType: "string" }], { columns: [], rows: [] })).toEqual({
      entities: { rider: ["key_1", "key_2"] },
      real: false,
    });
  });
});

describe("parseKeys", () => {
  const two = [...driver, { name: "city", valueType: "string" }];
  it("splits on commas, trims and drops blanks", () => {
    expect(parseKeys(two, { driver_id: " 1001, 1002 ,", city: "Berlin,Paris" })).toEqual({
      entities: { driver_id: ["1001", "1002"], city: ["Berlin", "Paris"] },
    });
    expect(keysText([1001, "a b"])).toBe("1001, a b");
  });
  it("names what is wrong", () => {
    expect(parseKeys(driver, { driver_id: "" })).toEqual({ error: "give at least one value for driver_id" });
    expect(parseKeys(driver, { driver_id: "10x" })).toEqual({ error: "driver_id takes whole numbers" });
    expect(parseKeys(two, { driver_id: "1,2", city: "a" })).toEqual({
      error: "every key needs the same number of values (one per entity row)",
    });
    expect(parseKeys(driver, { driver_id: Array.from({ length: 21 }, (_, i) => i).join(",") })).toEqual({
      error: "at most 20 keys in a preview (driver_id has 21)",
    });
  });
});
