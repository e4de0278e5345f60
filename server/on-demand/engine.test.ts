import { describe, expect, it } from "vitest";
import type { ValueType } from "../core/vocabulary";
import { compileOnDemand, evaluateOnDemand, type InputTypes, type RowInputs } from "./engine";
import { OnDemandViewSpec, type OnDemandViewSpecInput } from "./spec";
import { MAX_LIST_ELEMENTS } from "./types";

const inputTypes: InputTypes = new Map<string, Map<string, ValueType>>([
  [
    "driver_stats",
    new Map<string, ValueType>([
      ["conv_rate", "float64"],
      ["trips", "int64"],
      ["home_lat", "float64"],
      ["home_lon", "float64"],
      ["city", "string"],
      ["active", "bool"],
      ["last_trip", "unix_timestamp"],
      ["scores", "list<int32>"],
    ]),
  ],
]);

function spec(over: Partial<OnDemandViewSpecInput>): OnDemandViewSpec {
  return OnDemandViewSpec.parse({
    name: "driver_odv",
    inputs: [
      "driver_stats:conv_rate",
      "driver_stats:trips",
      "driver_stats:home_lat",
      "driver_stats:home_lon",
      "driver_stats:city",
      "driver_stats:active",
      "driver_stats:last_trip",
      "driver_stats:scores",
    ],
    requestFields: [
      { name: "boost", dtype: "float64" },
      { name: "lat", dtype: "float64" },
      { name: "lon", dtype: "float64" },
      { name: "divisor", dtype: "int64" },
    ],
    fields: [{ name: "x", dtype: "float64", expression: "1.0" }],
    ...over,
  });
}

function rowsOf(features: Record<string, unknown>[], request: Record<string, unknown>[]): RowInputs {
  return {
    rowCount: features.length,
    feature: (view, feature, row) => (view === "driver_stats" ? features[row]?.[feature] : undefined) ?? null,
    request: (field, row) => request[row]?.[field] ?? null,
  };
}

function field(name: string, dtype: ValueType, expression: string) {
  return { name, dtype, expression };
}

describe("type-checking at registration", () => {
  const refused: [string, ValueType, string, RegExp][] = [
    ["unknown variable", "float64", "driver_statz.conv_rate", /Unknown variable: driver_statz/],
    ["unknown feature", "float64", "driver_stats.nope", /nope/],
    ["unknown request field", "float64", "request.speed", /speed/],
    ["feature not listed as input", "float64", "other.conv_rate", /Unknown variable: other/],
    [
      "type error",
      "float64",
      "driver_stats.conv_rate * driver_stats.trips",
      /no such overload: double \* int/,
    ],
    [
      "result type mismatch",
      "int64",
      "driver_stats.conv_rate * request.boost",
      /gives double.*declared int64/,
    ],
    ["string vs bool", "bool", "driver_stats.city", /gives string.*declared bool/],
    ["syntax error", "float64", "1.0 +", /Unexpected token/],
    // Cost: a product of two list lengths (a list from a request body could make it billions of steps)
    [
      "a comprehension inside another",
      "int64",
      "driver_stats.scores.map(a, driver_stats.scores.map(b, a * b).size()).size()",
      /inside another comprehension/,
    ],
    [
      "a nested comprehension in a filter",
      "bool",
      "driver_stats.scores.exists(a, [1, 2].all(b, b < a))",
      /inside another comprehension/,
    ],
    // ReDoS: JavaScript's RegExp backtracks; "^(a+)+$" on 25 characters takes seconds
    ["a regular expression", "bool", 'driver_stats.city.matches("^(a+)+$")', /matches\(\) is not allowed/],
    ["a regular expression (global form)", "bool", 'matches(driver_stats.city, "a")', /matches/],
    [
      "a list input read in a comprehension's body",
      "int64",
      "driver_stats.scores.map(a, driver_stats.scores + driver_stats.scores).size()",
      /cannot be read inside a comprehension/,
    ],
  ];
  for (const [what, dtype, expression, message] of refused)
    it(`refuses ${what} with a 400 naming the field`, () => {
      const s = spec({ fields: [field("ok", "float64", "1.0"), field("bad", dtype, expression)] });
      expect(() => compileOnDemand(s, inputTypes)).toThrow(
        expect.objectContaining({
          code: "INVALID",
          field: "fields.1.expression",
          message: expect.stringMatching(message),
        }),
      );
    });

  it("refuses an input that does not exist, naming it", () => {
    const s = spec({ inputs: ["driver_stats:conv_rate", "driver_stats:gone"] });
    expect(() => compileOnDemand(s, inputTypes)).toThrow(
      expect.objectContaining({ field: "inputs.1", message: expect.stringMatching(/no feature "gone"/) }),
    );
    const t = spec({ inputs: ["nowhere:x"] });
    expect(() => compileOnDemand(t, inputTypes)).toThrow(
      expect.objectContaining({
        field: "inputs.0",
        message: expect.stringMatching(/"nowhere" does not exist/),
      }),
    );
  });

  it("refuses a view named request as an input (the name is the request's)", () => {
    expect(() => spec({ inputs: ["request:x"] })).toThrow(/names the request's fields/);
  });
});

describe("evaluation", () => {
  const s = spec({
    fields: [
      field("boosted", "float64", "driver_stats.conv_rate * request.boost"),
      field(
        "distance_km",
        "float64",
        "haversine_km(request.lat, request.lon, driver_stats.home_lat, driver_stats.home_lon)",
      ),
      field(
        "distance_flat",
        "float64",
        "sqrt(pow(request.lat - driver_stats.home_lat, 2.0) + pow(request.lon - driver_stats.home_lon, 2.0))",
      ),
      field("label", "string", 'driver_stats.city + "/" + (driver_stats.active ? "on" : "off")'),
      field("busy", "bool", "driver_stats.trips > 100"),
      field("per_divisor", "int64", "driver_stats.trips / request.divisor"),
      field("doubled_trips", "int64", "driver_stats.trips * 2"),
      field(
        "score_sum",
        "int64",
        "driver_stats.scores.size() == 0 ? 0 : driver_stats.scores[0] + driver_stats.scores[1]",
      ),
      field("next_trip", "unix_timestamp", 'driver_stats.last_trip + duration("1h")'),
      field("small", "int32", "driver_stats.trips"),
    ],
  });
  const view = compileOnDemand(s, inputTypes);
  const names = s.fields.map((f) => f.name);
  const features = [
    // Paris home, request at Berlin
    {
      conv_rate: 0.5,
      trips: 150,
      home_lat: 48.8566,
      home_lon: 2.3522,
      city: "paris",
      active: true,
      last_trip: "2026-01-31T23:00:00.000Z",
      scores: [3, 4],
    },
    // nulls, division by zero, int64 overflow, int32 overflow, index out of range
    {
      conv_rate: null,
      trips: "9223372036854775807",
      home_lat: 0,
      home_lon: 0,
      city: "x",
      active: false,
      last_trip: "2026-01-01T00:00:00Z",
      scores: [1],
    },
    // missing row (NOT_FOUND online, no match offline)
    {},
  ];
  const request = [
    { boost: 2, lat: 52.52, lon: 13.405, divisor: 7 },
    { boost: 2, lat: 0, lon: 3, divisor: 0 },
    { boost: null, lat: 1, lon: 1, divisor: 1 },
  ];
  const out = evaluateOnDemand(view, names, rowsOf(features, request));
  const col = (name: string) => out.get(name) ?? { values: [], reasons: [] };

  it("computes numbers, strings, bools, times from features and request fields", () => {
    expect(col("boosted").values[0]).toBe(1);
    // Paris-Berlin is 877-878 km great-circle
    expect(col("distance_km").values[0]).toBeGreaterThan(876);
    expect(col("distance_km").values[0]).toBeLessThan(879);
    expect(col("distance_flat").values[1]).toBe(3);
    expect(col("label").values.slice(0, 2)).toEqual(["paris/on", "x/off"]);
    expect(col("busy").values.slice(0, 2)).toEqual([true, true]);
    expect(col("per_divisor").values[0]).toBe(21);
    expect(col("score_sum").values[0]).toBe(7);
    expect(col("next_trip").values[0]).toBe("2026-02-01T00:00:00.000Z");
    expect(col("small").values[0]).toBe(150);
    for (const name of names) expect(col(name).reasons[0]).toBeNull();
  });

  it("turns every failure into null with a reason, per row", () => {
    expect(col("boosted").values[1]).toBeNull();
    expect(col("boosted").reasons[1]).toBe("driver_stats.conv_rate is null");
    expect(col("per_divisor").reasons[1]).toMatch(/division by zero/);
    expect(col("doubled_trips").reasons[1]).toMatch(/overflow/);
    expect(col("small").reasons[1]).toBe("int32 overflow: 9223372036854775807");
    expect(col("score_sum").reasons[1]).toMatch(/index out of bounds/);
    // the big int64 itself passes through as decimal text
    expect(col("busy").values[1]).toBe(true);
    expect(col("boosted").reasons[2]).toBe("driver_stats.conv_rate is null");
    expect(col("distance_km").reasons[2]).toMatch(/^driver_stats\.home_(lat|lon) is null$/);
    for (const name of names)
      if (col(name).reasons[2] === null) throw new Error(`${name} computed from nothing`);
  });

  it("only reads the inputs the requested fields use", () => {
    const asked: string[] = [];
    evaluateOnDemand(view, ["boosted"], {
      rowCount: 1,
      feature: (v, f) => {
        asked.push(`${v}.${f}`);
        return 1;
      },
      request: (f) => {
        asked.push(`request.${f}`);
        return 1;
      },
    });
    expect(asked.sort()).toEqual(["driver_stats.conv_rate", "request.boost"]);
  });

  it("gives null, not NaN or Infinity, for a float that is not finite", () => {
    const t = spec({
      fields: [field("r", "float64", "driver_stats.conv_rate / 0.0"), field("q", "float64", "sqrt(-1.0)")],
    });
    const o = evaluateOnDemand(compileOnDemand(t, inputTypes), ["r", "q"], rowsOf([{ conv_rate: 1 }], [{}]));
    expect(o.get("r")).toEqual({ values: [null], reasons: ["the result is not a finite number (Infinity)"] });
    expect(o.get("q")).toEqual({ values: [null], reasons: ["the result is not a finite number (NaN)"] });
  });

  it("allows one comprehension over a list, and makes a row null when a list is over the cap", () => {
    const t = spec({
      fields: [field("pos", "int64", "int(driver_stats.scores.filter(a, a > request.divisor).size())")],
    });
    const view = compileOnDemand(t, inputTypes);
    const long = Array.from({ length: MAX_LIST_ELEMENTS + 1 }, () => 1);
    const o = evaluateOnDemand(
      view,
      ["pos"],
      rowsOf([{ scores: [1, 5, 9] }, { scores: long }], [{ divisor: 4 }, { divisor: 0 }]),
    );
    expect(o.get("pos")?.values).toEqual([2, null]);
    expect(o.get("pos")?.reasons[1]).toMatch(/more than 10000/);
  });
});
