import { describe, expect, it } from "vitest";
import { readSpec, SPEC_VERSION, StoredSpecError, storedSpec } from "./spec-store";

const at = { view: "driver_hourly_stats", version: 3 };

/** A spec as the first Quiver stored it: no specVersion, and no `offline` or `freshnessSlaSeconds`. */
const LEGACY = {
  name: "driver_hourly_stats",
  entities: ["driver"],
  fields: [{ name: "conv_rate", dtype: "float64", description: "", tags: {} }],
  source: "driver_stats_source",
  ttlSeconds: 86400,
  online: true,
  description: "",
  tags: {},
  owner: "",
};

/** What reading LEGACY must give, written out by hand. */
const LEGACY_READ = { ...LEGACY, offline: true, freshnessSlaSeconds: null };

describe("readSpec", () => {
  it("upgrades a legacy spec (no specVersion) to the current shape", () => {
    expect(readSpec(LEGACY, at)).toEqual(LEGACY_READ);
  });

  it("reads back what storedSpec writes, stamped with the current format", () => {
    const stored = storedSpec(LEGACY_READ as Parameters<typeof storedSpec>[0]);
    expect(stored.specVersion).toBe(1);
    expect(SPEC_VERSION).toBe(1);
    expect(readSpec(JSON.parse(JSON.stringify(stored)), at)).toEqual(LEGACY_READ);
  });

  it.each([
    [
      "a string",
      "oops",
      /feature view "driver_hourly_stats" version 3: the stored spec is not a JSON object/,
    ],
    ["null", null, /not a JSON object/],
    ["a bad specVersion", { ...LEGACY, specVersion: "1" }, /no valid specVersion/],
    ["a newer format", { ...LEGACY, specVersion: 2 }, /has format 2, newer than this Quiver reads \(1\)/],
    [
      "a wrong field type",
      { ...LEGACY, specVersion: 1, fields: [{ name: "conv_rate", dtype: "decimal(SECRET)" }] },
      /version 3: the stored spec \(format 1\) does not parse: fields\.0\.dtype \(invalid_value\)$/,
    ],
    ["missing keys", { specVersion: 0 }, /does not parse: name \(invalid_type\), entities/],
  ])("refuses %s as an internal error naming the view and version", (_, json, message) => {
    const read = () => readSpec(json, at);
    expect(read).toThrow(StoredSpecError);
    expect(read).toThrow(message);
  });

  it("never quotes the stored values", () => {
    const json = { ...LEGACY, fields: [{ name: "conv_rate", dtype: "SECRET_VALUE" }], owner: 42 };
    expect(() => readSpec(json, at)).toThrow(StoredSpecError);
    try {
      readSpec(json, at);
    } catch (e) {
      expect((e as Error).message).not.toContain("SECRET_VALUE");
    }
  });
});
