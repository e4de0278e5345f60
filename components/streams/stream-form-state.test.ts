import { describe, expect, it } from "vitest";
import { emptyStreamForm, formOfSpec, newAggregation, specOfForm } from "./stream-form-state";

const filled = () => ({
  ...emptyStreamForm("demo"),
  name: "trips_live",
  streamKey: "demo:trips",
  entities: ["driver"],
  aggregations: [
    newAggregation({ name: "trips_5m" }),
    newAggregation({
      name: "fare_sum_1h",
      function: "sum",
      column: "fare",
      window: { amount: "1", unit: "hours" },
    }),
  ],
});

describe("the stream view form's state", () => {
  it("makes the registry's spec of a filled form, in seconds", () => {
    const out = specOfForm("demo", filled());
    expect(out.errors).toBeUndefined();
    expect(out.spec).toMatchObject({
      name: "trips_live",
      stream: { adapter: "redis", key: "demo:trips" },
      entities: ["driver"],
      timestampField: "ts",
      eventIdField: null,
      tileSeconds: 60,
      allowedLatenessSeconds: 60,
      aggregations: [
        { name: "trips_5m", function: "count", column: "", windowSeconds: 300, kind: "sliding" },
        { name: "fare_sum_1h", function: "sum", column: "fare", windowSeconds: 3600, kind: "sliding" },
      ],
    });
  });

  it("round-trips a spec through the form", () => {
    const spec = specOfForm("demo", { ...filled(), eventIdField: "event_id" }).spec;
    if (!spec) throw new Error("no spec");
    const back = specOfForm("demo", formOfSpec({ ...spec, tags: {}, description: "", owner: "" } as never));
    expect(back.spec).toEqual({ ...spec, tags: {}, description: "", owner: "" });
  });

  it("names the input of each mistake with the server's paths", () => {
    const v = filled();
    expect(specOfForm("demo", { ...v, streamKey: "other:trips", entities: [] }).errors).toEqual({
      "stream.key": 'must start with "demo:" (a project reads only its own streams)',
      entities: "Pick at least one entity",
    });
    // the rules across rows run once each input is well formed
    const out = specOfForm("demo", {
      ...v,
      tile: { amount: "7", unit: "seconds" },
      aggregations: [
        newAggregation({ name: "a", function: "max", column: "" }),
        newAggregation({ name: "b", window: { amount: "14", unit: "seconds" } }),
      ],
    });
    expect(out.errors).toEqual({
      "aggregations.0.column": "max needs a column",
      "aggregations.0.windowSeconds": "must be a multiple of the tile size (7 s)",
    });
    const blank = [newAggregation({ name: "a", window: { amount: "", unit: "minutes" } })];
    expect(specOfForm("demo", { ...v, aggregations: blank }).errors).toEqual({
      "aggregations.0.windowSeconds": "Required",
    });
  });

  it("says a name is used twice", () => {
    const v = filled();
    const out = specOfForm("demo", {
      ...v,
      aggregations: [newAggregation({ name: "a" }), newAggregation({ name: "a" })],
    });
    expect(out.errors).toEqual({ "aggregations.1.name": "a is named twice" });
  });

  it("refuses Quiver's own key space even under the project's prefix rule", () => {
    expect(specOfForm("demo", { ...filled(), streamKey: "qs:demo" }).errors?.["stream.key"]).toMatch(
      /q:, qs:/,
    );
  });

  it("drops a field left from another function when the row counts", () => {
    const v = filled();
    const out = specOfForm("demo", { ...v, aggregations: [newAggregation({ name: "n", column: "fare" })] });
    expect(out.spec?.aggregations[0]).toMatchObject({ column: "" });
  });
});
