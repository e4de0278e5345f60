import { describe, expect, it } from "vitest";
import { serverError } from "../forms/form-errors";
import { fromSeconds, toSeconds } from "./duration";
import {
  draftClashes,
  draftsInUse,
  emptyViewForm,
  newFieldRow,
  type ViewFormState,
  validateViewForm,
  viewFormFromSpec,
} from "./view-form-state";

function filled(): ViewFormState {
  return {
    ...emptyViewForm(),
    name: "driver_stats",
    entities: ["driver"],
    source: "driver_source",
    fields: [{ ...newFieldRow(), name: "conv_rate" }],
  };
}

describe("durations", () => {
  it("round-trips seconds through the largest even unit", () => {
    expect(fromSeconds(7200)).toEqual({ amount: "2", unit: "hours" });
    expect(fromSeconds(90)).toEqual({ amount: "90", unit: "seconds" });
    expect(fromSeconds(86400 * 3)).toEqual({ amount: "3", unit: "days" });
    expect(toSeconds({ amount: "1.5", unit: "minutes" })).toBe(90);
    expect(toSeconds({ amount: "", unit: "hours" })).toBeUndefined();
    expect(toSeconds({ amount: "x", unit: "hours" })).toBeNaN();
  });
});

describe("validateViewForm", () => {
  it("builds the spec with ttl and SLA in seconds", () => {
    const r = validateViewForm({ ...filled(), sla: { amount: "30", unit: "minutes" } });
    expect(r.ok && r.spec).toMatchObject({
      name: "driver_stats",
      ttlSeconds: 86400,
      freshnessSlaSeconds: 1800,
    });
  });

  it("keys errors by the schema's paths, rows by index", () => {
    const state = filled();
    state.fields = [...state.fields, { ...newFieldRow(), name: "2bad" }];
    state.entities = [];
    const r = validateViewForm(state);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(Object.keys(r.errors).sort()).toEqual(["entities", "fields.1.name"]);
  });

  it("reports duplicate fields and tag rows on the row", () => {
    const state = filled();
    state.fields = [...state.fields, { ...newFieldRow(), name: "conv_rate" }];
    state.tags = [
      { id: "a", key: "team", value: "x" },
      { id: "b", key: "team", value: "y" },
      { id: "c", key: "", value: "" },
    ];
    const r = validateViewForm(state);
    expect(r.ok ? {} : r.errors).toEqual({
      "tags.1.key": 'Duplicate key "team"',
      "fields.1.name": 'duplicate field "conv_rate"',
    });
  });

  it("says what is missing instead of the name pattern", () => {
    const r = validateViewForm({ ...emptyViewForm(), ttl: { amount: "", unit: "days" } });
    expect(r.ok ? {} : r.errors).toMatchObject({
      name: "Enter a name",
      source: "Choose a source",
      "fields.0.name": "Enter a field name",
      ttlSeconds: "Enter a time to live (0 = no limit)",
    });
  });

  it("round-trips a stored spec", () => {
    const r = validateViewForm(filled());
    if (!r.ok) throw new Error("invalid");
    const again = validateViewForm(viewFormFromSpec(r.spec));
    expect(again.ok && again.spec).toEqual(r.spec);
  });
});

describe("serverError", () => {
  it("falls back to a generic message for unknown errors", () => {
    expect(serverError(new Error("boom")).field).toBeNull();
  });
});

describe("inline drafts", () => {
  const entity = {
    name: "rider",
    joinKey: "rider_id",
    valueType: "int64" as const,
    description: "",
    owner: "",
    tags: {},
  };
  const source = {
    name: "rides",
    kind: "table" as const,
    tableName: "demo.rides",
    timestampField: "ts",
    fieldMapping: {},
    description: "",
    owner: "",
    tags: {},
  };

  it("creates only the drafts the view still uses, entities in join-key order", () => {
    const other = { ...entity, name: "unused" };
    const state: ViewFormState = {
      ...filled(),
      entities: ["driver", "rider"],
      newEntities: [other, entity],
      source: "rides",
      newSource: source,
    };
    expect(draftsInUse(state)).toEqual({ entities: [entity], source });
    expect(draftsInUse({ ...state, source: "driver_source" }).source).toBeNull();
  });

  it("says when a draft's name was registered meanwhile", () => {
    const state: ViewFormState = {
      ...filled(),
      entities: ["driver", "rider"],
      newEntities: [entity],
      source: "rides",
      newSource: source,
    };
    expect(draftClashes(state, { entities: ["driver"], sources: ["driver_source"] })).toEqual({});
    const clashes = draftClashes(state, { entities: ["driver", "rider"], sources: ["rides"] });
    expect(Object.keys(clashes)).toEqual(["entities.1", "source"]);
  });
});
