import { describe, expect, it } from "vitest";
import { emptySourceForm, formatOf, sourceFormFrom, validateSourceForm } from "./source-form-state";

describe("source form", () => {
  it("sends only the inputs of the chosen kind", () => {
    const form = {
      ...emptySourceForm(),
      name: "trips",
      tableName: "demo.trips",
      query: "select 1",
      path: "x.csv",
    };
    const table = validateSourceForm(form);
    expect(table.ok && table.value).toMatchObject({ kind: "table", tableName: "demo.trips" });
    expect(table.ok && "query" in table.value && table.value.query).toBeFalsy();
    const file = validateSourceForm({ ...form, kind: "file", fileFormat: "csv" });
    expect(file.ok && file.value).toMatchObject({ kind: "file", path: "x.csv", fileFormat: "csv" });
    expect(file.ok && file.value.tableName).toBeUndefined();
  });

  it("puts each missing or bad input under its field", () => {
    const r = validateSourceForm({
      ...emptySourceForm(),
      timestampField: "",
      createdTimestampField: "bad col",
    });
    expect(r).toEqual({
      ok: false,
      errors: {
        name: "Enter a name",
        tableName: "Enter a table name",
        timestampField: "Enter the timestamp column",
        createdTimestampField: "must be a plain column name",
      },
    });
    const q = validateSourceForm({ ...emptySourceForm(), name: "q", kind: "query" });
    expect(q).toEqual({ ok: false, errors: { query: "Enter a query" } });
    const taken = validateSourceForm({ ...emptySourceForm(), name: "q", tableName: "t" }, ["q"]);
    expect(taken).toEqual({ ok: false, errors: { name: 'A source named "q" already exists' } });
  });

  it("keeps a stored source's field mapping through an edit", () => {
    const form = sourceFormFrom({
      name: "s",
      kind: "table",
      tableName: "demo.t",
      query: null,
      path: null,
      fileFormat: null,
      timestampField: "ts",
      createdTimestampField: null,
      description: "",
      owner: "",
      tags: {},
      fieldMapping: { raw_col: "nice_name" },
    });
    const r = validateSourceForm(form);
    expect(r.ok && r.value.fieldMapping).toEqual({ raw_col: "nice_name" });
    expect(r.ok && r.value.createdTimestampField).toBeUndefined();
  });

  it("reads a file's format from its extension", () => {
    expect(formatOf("a/b.CSV")).toBe("csv");
    expect(formatOf("a.parquet")).toBe("parquet");
    expect(formatOf("a.json")).toBeUndefined();
  });
});
