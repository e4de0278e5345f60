import { describe, expect, it } from "vitest";
import {
  type AvailableInput,
  emptyOnDemandForm,
  inputsOf,
  insertAt,
  newRequestFieldRow,
  onDemandFormFrom,
  validateOnDemandForm,
} from "./on-demand-form-state";

const available: AvailableInput[] = [
  { view: "driver_hourly_stats", feature: "conv_rate", dtype: "float32" },
  { view: "driver_hourly_stats", feature: "acc_rate", dtype: "float32" },
  { view: "customer", feature: "balance", dtype: "float64" },
];

describe("inputsOf", () => {
  it("lists each view.feature the expressions read, once, in first-use order", () => {
    expect(
      inputsOf(
        [
          "customer.balance + driver_hourly_stats.conv_rate * request.boost",
          "driver_hourly_stats.conv_rate > 0.5",
        ],
        available,
      ),
    ).toEqual(["customer:balance", "driver_hourly_stats:conv_rate"]);
  });

  it("skips request fields, unknown names, text in string literals and members of members", () => {
    expect(
      inputsOf(
        [
          'request.boost > 1.0 && "driver_hourly_stats.acc_rate" != "" && nope.x == 1',
          "m.driver_hourly_stats.acc_rate",
        ],
        available,
      ),
    ).toEqual([]);
    expect(inputsOf(["driver_hourly_stats . acc_rate"], available)).toEqual(["driver_hourly_stats:acc_rate"]);
  });
});

describe("insertAt", () => {
  it("replaces the selection and puts the caret after the text", () => {
    expect(insertAt("a *  b", 4, 4, "x.y")).toEqual({ value: "a * x.y b", caret: 7 });
    expect(insertAt("abc", 1, 2, "Z")).toEqual({ value: "aZc", caret: 2 });
    expect(insertAt("", 9, 9, "q.r")).toEqual({ value: "q.r", caret: 3 });
  });
});

describe("validateOnDemandForm", () => {
  it("builds the spec with inputs from the expressions and trimmed values", () => {
    const s = emptyOnDemandForm();
    s.name = " scores ";
    s.requestFields = [{ ...newRequestFieldRow(), name: "boost", dtype: "float64" }];
    s.fields = [
      {
        id: "f1",
        name: "boosted",
        dtype: "float64",
        expression: " driver_hourly_stats.conv_rate * request.boost ",
        description: "",
      },
    ];
    s.tags = [{ id: "t1", key: "team", value: "drivers" }];
    const r = validateOnDemandForm(s, available);
    expect(r).toEqual({
      ok: true,
      value: {
        name: "scores",
        inputs: ["driver_hourly_stats:conv_rate"],
        requestFields: [{ name: "boost", dtype: "float64" }],
        fields: [
          {
            name: "boosted",
            dtype: "float64",
            expression: "driver_hourly_stats.conv_rate * request.boost",
            description: "",
          },
        ],
        description: "",
        tags: { team: "drivers" },
        owner: "",
      },
    });
  });

  it("puts errors on the row that has them", () => {
    const s = emptyOnDemandForm();
    s.fields = [
      { id: "a", name: "x", dtype: "bool", expression: "true", description: "" },
      { id: "b", name: "x", dtype: "bool", expression: "  ", description: "" },
    ];
    s.requestFields = [
      { id: "r1", name: "boost", dtype: "float64" },
      { id: "r2", name: "Bad Name", dtype: "float64" },
    ];
    const r = validateOnDemandForm(s, available, ["taken"]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.name).toBe("Enter a name");
    expect(r.errors["fields.1.expression"]).toBe("Enter an expression");
    expect(r.errors["fields.1.name"]).toMatch(/duplicate field "x"/);
    expect(Object.keys(r.errors)).toContain("requestFields.1.name");
  });

  it("refuses a taken name when creating", () => {
    const s = { ...emptyOnDemandForm(), name: "taken" };
    s.fields = [{ id: "a", name: "x", dtype: "bool", expression: "true", description: "" }];
    const r = validateOnDemandForm(s, available, ["taken"]);
    expect(r.ok ? null : r.errors.name).toMatch(/already taken/);
  });

  it("round-trips a stored spec", () => {
    const spec = {
      name: "driver_scores",
      inputs: ["driver_hourly_stats:conv_rate"],
      requestFields: [{ name: "boost", dtype: "float64" as const }],
      fields: [
        {
          name: "boosted_conv_rate",
          dtype: "float64" as const,
          expression: "driver_hourly_stats.conv_rate * request.boost",
          description: "scaled",
        },
      ],
      description: "d",
      tags: { team: "x" },
      owner: "o",
    };
    const r = validateOnDemandForm(onDemandFormFrom(spec), available);
    expect(r).toEqual({ ok: true, value: spec });
  });
});
