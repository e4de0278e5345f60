import { describe, expect, it } from "vitest";
import { type ColumnRegistry, columnOfField, featureColumns, transformationColumns } from "./columns";

/**
 *   trips(driver_id, ts, fare) --daily--> daily_out(driver_id, ts, fare_sum)
 *   daily_out --weekly--> weekly_out(driver_id, ts, fare_7d, one)
 *   view "weekly" reads weekly_out, its feature "fare_week" mapped from column fare_7d;
 *   view "daily" reads daily_out: fare_sum.
 */
const ref = (source: string, column: string) => ({ source, column });
const registry: ColumnRegistry = {
  transformations: [
    {
      name: "daily",
      output: "daily_out",
      columns: [
        { name: "driver_id", from: [ref("trips", "driver_id")] },
        { name: "ts", from: [ref("trips", "ts")] },
        { name: "fare_sum", from: [ref("trips", "fare"), ref("trips", "driver_id")] },
      ],
    },
    {
      name: "weekly",
      output: "weekly_out",
      columns: [
        { name: "driver_id", from: [ref("daily_out", "driver_id")] },
        { name: "ts", from: [ref("daily_out", "ts")] },
        { name: "fare_7d", from: [ref("daily_out", "fare_sum"), ref("daily_out", "ts")] },
        { name: "one", from: [] },
      ],
    },
  ],
  fieldMappings: new Map([["weekly_out", { fare_7d: "fare_week" }]]),
  views: [
    { name: "weekly", source: "weekly_out", features: ["fare_week", "one"] },
    { name: "daily", source: "daily_out", features: ["fare_sum"] },
    { name: "raw", source: "trips", features: ["fare"] },
  ],
};

describe("column lineage", () => {
  it("maps a field to its column through the source's field mapping", () => {
    expect(columnOfField({ fare_7d: "fare_week" }, "fare_week")).toBe("fare_7d");
    expect(columnOfField({ fare_7d: "fare_week" }, "other")).toBe("other");
    expect(columnOfField(undefined, "x")).toBe("x");
  });

  it("answers a transformation's output columns with their inputs and readers (mapped ones too)", () => {
    const c = transformationColumns(registry, "weekly");
    expect(c?.steps.map((s) => [s.output.column, s.from.length, s.features.map((f) => f.id)])).toEqual([
      ["driver_id", 1, []],
      ["ts", 1, []],
      ["fare_7d", 2, ["feature:weekly:fare_week"]],
      ["one", 0, ["feature:weekly:one"]],
    ]);
    expect(c?.origins).toEqual([
      ref("daily_out", "driver_id"),
      ref("daily_out", "fare_sum"),
      ref("daily_out", "ts"),
    ]);
    expect(transformationColumns(registry, "nope")).toBeNull();
  });

  it("follows a feature up a chain of transformations to the raw source columns", () => {
    const c = featureColumns(registry, "weekly", "fare_week");
    expect(c?.reads).toEqual(ref("weekly_out", "fare_7d"));
    expect(c?.steps.map((s) => `${s.transformation}:${s.output.column}`)).toEqual([
      "weekly:fare_7d",
      "daily:fare_sum",
      "daily:ts",
    ]);
    expect(c?.origins).toEqual([ref("trips", "driver_id"), ref("trips", "fare"), ref("trips", "ts")]);
    // A constant column starts from nothing; a plain source's feature from its own column.
    expect(featureColumns(registry, "weekly", "one")?.origins).toEqual([]);
    expect(featureColumns(registry, "raw", "fare")).toMatchObject({
      steps: [],
      origins: [ref("trips", "fare")],
    });
    expect(featureColumns(registry, "weekly", "nope")).toBeNull();
    expect(featureColumns(registry, "nope", "fare")).toBeNull();
  });

  it("ends on transformations that read each other's outputs", () => {
    const cyclic: ColumnRegistry = {
      transformations: [
        { name: "a", output: "a_out", columns: [{ name: "x", from: [ref("b_out", "x")] }] },
        { name: "b", output: "b_out", columns: [{ name: "x", from: [ref("a_out", "x")] }] },
      ],
      fieldMappings: new Map(),
      views: [{ name: "v", source: "a_out", features: ["x"] }],
    };
    const c = featureColumns(cyclic, "v", "x");
    expect(c?.steps.map((s) => s.transformation)).toEqual(["a", "b"]);
    expect(c?.origins).toEqual([]);
  });
});
