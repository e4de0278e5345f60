import { describe, expect, it } from "vitest";
import { emptyEntityForm, entityFormFrom, validateEntityForm } from "./entity-form-state";

describe("entity form", () => {
  it("builds EntityInput from what was typed, trimmed, tags from rows", () => {
    const result = validateEntityForm({
      ...emptyEntityForm(),
      name: " driver ",
      joinKey: "driver_id",
      description: " Drivers ",
      tags: [
        { id: "a", key: "team", value: "mobility" },
        { id: "b", key: "", value: "" },
      ],
    });
    expect(result).toEqual({
      ok: true,
      value: {
        name: "driver",
        joinKey: "driver_id",
        valueType: "int64",
        description: "Drivers",
        owner: "",
        tags: { team: "mobility" },
      },
    });
  });

  it("names each bad input: blanks as required, patterns, taken names, tag rows", () => {
    const blank = validateEntityForm(emptyEntityForm());
    expect(blank).toEqual({ ok: false, errors: { name: "Enter a name", joinKey: "Enter a join key" } });

    const bad = validateEntityForm(
      {
        ...emptyEntityForm(),
        name: "driver",
        joinKey: "Driver ID",
        tags: [
          { id: "a", key: "team", value: "x" },
          { id: "b", key: "team", value: "y" },
        ],
      },
      ["driver"],
    );
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.errors.name).toBe('An entity named "driver" already exists');
    expect(bad.errors.joinKey).toMatch(/must start with a lowercase letter/);
    expect(bad.errors["tags.1.key"]).toBe('Duplicate key "team"');
  });

  it("round-trips a stored entity", () => {
    const stored = {
      name: "driver",
      joinKey: "driver_id",
      valueType: "string",
      description: "d",
      owner: "o",
      tags: { a: "1" },
    };
    const result = validateEntityForm(entityFormFrom(stored));
    expect(result).toEqual({ ok: true, value: stored });
  });
});
