import { describe, expect, it } from "vitest";
import { inputViewsOf, joinKeysOf, parseRequestValue, requestContextOf } from "./on-demand-inputs";
import { answerColumns, reasonsOf } from "./try-it-answer";

describe("join keys of an on-demand view", () => {
  it("are the entities' keys of the views its inputs read, each once", () => {
    const inputs = ["stats:a", "stats:b", "trip:c"];
    expect(inputViewsOf(inputs)).toEqual(["stats", "trip"]);
    expect(
      joinKeysOf(
        inputs,
        [
          { name: "stats", entityNames: ["driver"] },
          { name: "trip", entityNames: ["driver", "rider"] },
          { name: "other", entityNames: ["zone"] },
        ],
        [
          { name: "driver", joinKey: "driver_id", valueType: "int64" },
          { name: "rider", joinKey: "rider_id", valueType: "string" },
          { name: "zone", joinKey: "zone_id", valueType: "string" },
        ],
      ),
    ).toEqual([
      { name: "driver_id", valueType: "int64" },
      { name: "rider_id", valueType: "string" },
    ]);
  });
});

describe("request values typed in Try it", () => {
  it("are typed by the field's dtype", () => {
    expect(parseRequestValue("2.5", "float64")).toEqual({ value: 2.5 });
    expect(parseRequestValue("x", "float64")).toEqual({ error: "expected a number" });
    expect(parseRequestValue("", "float32")).toEqual({ error: "expected a number" });
    expect(parseRequestValue("7", "int64")).toEqual({ value: 7 });
    expect(parseRequestValue("9007199254740993", "int64")).toEqual({ value: "9007199254740993" });
    expect(parseRequestValue("1.5", "int32")).toEqual({ error: "expected a whole number" });
    expect(parseRequestValue("true", "bool")).toEqual({ value: true });
    expect(parseRequestValue("yes", "bool")).toEqual({ error: "expected true or false" });
    expect(parseRequestValue("[1, 2]", "list<int64>")).toEqual({ value: [1, 2] });
    expect(parseRequestValue("1", "list<int64>")).toMatchObject({ error: expect.stringMatching(/list/) });
    expect(parseRequestValue(" null ", "string")).toEqual({ value: null });
    expect(parseRequestValue(" a b ", "string")).toEqual({ value: " a b " });
  });

  it("are repeated for every entity row, and an error names the field", () => {
    const fields = [
      { name: "boost", dtype: "float64" },
      { name: "ok", dtype: "bool" },
    ];
    expect(requestContextOf(fields, { boost: "2", ok: "false" }, 3)).toEqual({
      requestContext: { boost: [2, 2, 2], ok: [false, false, false] },
    });
    expect(requestContextOf(fields, { boost: "two", ok: "true" }, 1)).toEqual({
      error: "request.boost: expected a number",
    });
  });
});

describe("the Try it answer", () => {
  const view = { name: "scores", spec: { fields: [{ name: "boosted", dtype: "float64" }] } };
  const names = ["driver_id", "scores__boosted", "stats__conv_rate"];

  it("labels keys, computed features and inputs", () => {
    expect(answerColumns(names, view, 1)).toEqual([
      { name: "driver_id", label: "driver_id", role: "key" },
      { name: "scores__boosted", label: "boosted", type: "computed · float64", role: "feature" },
      { name: "stats__conv_rate", label: "stats.conv_rate", type: "input" },
    ]);
  });

  it("lists each failed row with its keys and reason", () => {
    const answer = {
      metadata: { reasons: { scores__boosted: [null, "request.boost is null"] } },
      results: [{ values: [1001, 1002] }, { values: [1.5, null] }, { values: [0.5, 0.7] }],
    };
    expect(reasonsOf(answer, answerColumns(names, view, 1), 1)).toEqual([
      { feature: "boosted", row: 1, key: "driver_id 1002", reason: "request.boost is null" },
    ]);
    expect(reasonsOf({ metadata: {}, results: answer.results }, answerColumns(names, view, 1), 1)).toEqual(
      [],
    );
  });
});
