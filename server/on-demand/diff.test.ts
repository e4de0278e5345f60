import { describe, expect, it } from "vitest";
import { diffOnDemandSpecs } from "./diff";
import type { OnDemandViewSpec } from "./spec";

const base: OnDemandViewSpec = {
  name: "s",
  inputs: ["a:x", "a:y"],
  requestFields: [{ name: "boost", dtype: "float64" }],
  fields: [
    { name: "f", dtype: "float64", expression: "a.x * request.boost", description: "" },
    { name: "g", dtype: "bool", expression: "a.y > 1", description: "" },
  ],
  description: "",
  tags: {},
  owner: "",
};

describe("diffOnDemandSpecs", () => {
  it("is empty for the same spec", () => {
    expect(diffOnDemandSpecs(base, structuredClone(base))).toEqual([]);
  });

  it("reads a reorder of rows as one order change, not a change of every row", () => {
    const [f, g] = base.fields as [OnDemandViewSpec["fields"][number], OnDemandViewSpec["fields"][number]];
    const b = { ...base, fields: [g, f] };
    expect(diffOnDemandSpecs(base, b)).toEqual([
      { path: "fields", kind: "changed", before: "f, g", after: "g, f" },
    ]);
  });

  it("names a request field's retype and a field's new dtype", () => {
    const [f, g] = base.fields as [OnDemandViewSpec["fields"][number], OnDemandViewSpec["fields"][number]];
    const b: OnDemandViewSpec = {
      ...base,
      requestFields: [{ name: "boost", dtype: "int64" }],
      fields: [{ ...f, dtype: "int64", expression: "int(a.x) * request.boost" }, g],
      owner: "me",
    };
    expect(diffOnDemandSpecs(base, b)).toEqual([
      { path: "owner", kind: "changed", before: "", after: "me" },
      { path: "requestFields.boost.dtype", kind: "changed", before: "float64", after: "int64" },
      { path: "fields.f.dtype", kind: "changed", before: "float64", after: "int64" },
      {
        path: "fields.f.expression",
        kind: "changed",
        before: "a.x * request.boost",
        after: "int(a.x) * request.boost",
      },
    ]);
  });
});
