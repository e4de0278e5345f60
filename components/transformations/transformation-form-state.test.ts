import { describe, expect, it } from "vitest";
import { tagRowsFrom } from "@/components/forms/rows";
import {
  completionSchema,
  emptyTransformationForm,
  errorOffset,
  eventTimeChoices,
  lineColumnOf,
  TRANSFORMATION_FORM_PATHS,
  transformationFormFrom,
  validateTransformationForm,
} from "./transformation-form-state";

const filled = {
  ...emptyTransformationForm(),
  name: " trips_7d ",
  sql: "\n  select driver_id, event_timestamp from trips\n",
  eventTimestampColumn: "event_timestamp ",
  owner: " ml-team ",
  tags: tagRowsFrom({ team: "ml" }),
};

describe("validateTransformationForm", () => {
  it("sends the spec trimmed, with tags as a record", () => {
    expect(validateTransformationForm(filled)).toEqual({
      ok: true,
      value: {
        name: "trips_7d",
        sql: "select driver_id, event_timestamp from trips",
        eventTimestampColumn: "event_timestamp",
        description: "",
        owner: "ml-team",
        tags: { team: "ml" },
      },
    });
  });

  it("names each blank required input in words", () => {
    const result = validateTransformationForm(emptyTransformationForm());
    expect(result).toEqual({
      ok: false,
      errors: {
        name: "Enter a name",
        sql: "Enter the SELECT",
        eventTimestampColumn: "Choose the event-time column",
      },
    });
  });

  it("refuses a name a data source has (the output source takes it) and a bad name", () => {
    const taken = validateTransformationForm(filled, ["trips", "trips_7d"]);
    expect(taken.ok).toBe(false);
    if (!taken.ok) expect(taken.errors.name).toMatch(/taken/);
    const bad = validateTransformationForm({ ...filled, name: "Trips 7d" });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(Object.keys(bad.errors)).toEqual(["name"]);
  });

  it("puts a tag error on its row", () => {
    const result = validateTransformationForm({
      ...filled,
      tags: [...tagRowsFrom({ team: "ml" }), { id: "x", key: "", value: "orphan" }],
    });
    expect(result).toEqual({ ok: false, errors: { "tags.1.key": "Enter a key" } });
  });

  it("round-trips a stored transformation", () => {
    const stored = {
      name: "driver_stats_7d",
      sql: "select 1",
      eventTimestampColumn: "ts",
      description: "d",
      owner: "o",
      tags: { a: "b" },
    };
    const result = validateTransformationForm(transformationFormFrom(stored));
    expect(result).toEqual({ ok: true, value: stored });
  });
});

describe("errorOffset", () => {
  it("turns the server's 1-based position into the editor's 0-based offset", () => {
    const sql = "select * from nope";
    expect(errorOffset('sql: "nope" is not a data source of this project (at position 15)', sql)).toBe(14);
    expect(sql.slice(14)).toBe("nope");
  });

  it("adds the leading whitespace the form trims before sending", () => {
    const sql = "\n\n  select * from nope";
    const at = errorOffset("x (at position 15)", sql);
    expect(at).toBe(18);
    expect(sql.slice(at ?? 0)).toBe("nope");
  });

  it("counts characters as code points, offsets as UTF-16 units", () => {
    // "😀" is one character for Postgres and two UTF-16 units for the editor.
    const sql = "select '😀' as e, x from nope";
    const at = errorOffset("(at position 25)", sql);
    expect(sql.slice(at ?? 0)).toBe("nope");
  });

  it("reads the sandbox's second-statement position, and nothing from a message without one", () => {
    const sql = "select 1; select 2";
    expect(
      errorOffset("must be exactly one statement, found 2 (the second starts at position 11)", sql),
    ).toBe(10);
    expect(errorOffset("canceling statement due to statement timeout", sql)).toBeNull();
    expect(errorOffset("(at position 0)", sql)).toBeNull();
  });

  it("stops at the end of the text for a position past it", () => {
    expect(errorOffset("(at position 99)", "select")).toBe(6);
  });
});

describe("lineColumnOf", () => {
  it("gives 1-based line and column", () => {
    expect(lineColumnOf("select\n  x from nope", 16)).toEqual({ line: 2, column: 10 });
    expect(lineColumnOf("nope", 0)).toEqual({ line: 1, column: 1 });
  });
});

describe("eventTimeChoices", () => {
  it("keeps the date and timestamp columns of a preview", () => {
    expect(
      eventTimeChoices([
        { name: "driver_id", columnType: "bigint" },
        { name: "ts", columnType: "timestamptz" },
        { name: "day", columnType: "date" },
        { name: "local", columnType: "timestamp" },
        { name: "label", columnType: "text" },
      ]),
    ).toEqual(["ts", "day", "local"]);
  });
});

describe("completionSchema", () => {
  it("lists every source, with its columns when they loaded", () => {
    expect(
      completionSchema([{ name: "trips", columns: [{ name: "driver_id" }] }, { name: "files" }]),
    ).toEqual({
      trips: ["driver_id"],
      files: [],
    });
  });
});

describe("TRANSFORMATION_FORM_PATHS", () => {
  it("matches the inputs the form renders and nothing else", () => {
    for (const p of ["name", "sql", "eventTimestampColumn", "owner", "tags", "tags.2.value"])
      expect(TRANSFORMATION_FORM_PATHS.test(p)).toBe(true);
    for (const p of ["version", "project", "spec.sql", "tags.x"])
      expect(TRANSFORMATION_FORM_PATHS.test(p)).toBe(false);
  });
});
