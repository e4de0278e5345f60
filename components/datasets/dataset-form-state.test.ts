import { describe, expect, it } from "vitest";
import {
  checkCreate,
  checkDraft,
  type DatasetFormState,
  emptyDatasetForm,
  formErrorKey,
  fromUtcInput,
  toUtcInput,
} from "./dataset-form-state";

const NOW = new Date("2026-11-27T15:42:10Z");

function form(patch: Partial<DatasetFormState>): DatasetFormState {
  return { ...emptyDatasetForm(NOW), ...patch };
}

describe("dataset form state", () => {
  it("reads datetime inputs as UTC", () => {
    expect(fromUtcInput("2026-11-20T06:00")).toBe("2026-11-20T06:00:00Z");
    expect(fromUtcInput("2026-11-20T06:00:30")).toBe("2026-11-20T06:00:30Z");
    expect(fromUtcInput("")).toBeUndefined();
    expect(fromUtcInput("2026-13-40T06:00")).toBeUndefined();
    expect(toUtcInput(new Date("2026-11-20T06:05:00Z"))).toBe("2026-11-20T06:05");
  });

  it("starts with a grid over the last seven whole UTC days, daily", () => {
    const { grid } = emptyDatasetForm(NOW);
    expect(grid.start).toBe("2026-11-20T00:00");
    expect(grid.end).toBe("2026-11-27T00:00");
    expect(grid.step).toEqual({ amount: "1", unit: "days" });
  });

  it("builds a service and a grid", () => {
    const result = checkDraft(
      form({
        featureService: "driver_activity",
        source: "grid",
        grid: { ...emptyDatasetForm(NOW).grid, view: "v" },
      }),
    );
    expect(result).toEqual({
      ok: true,
      value: {
        selection: { featureService: "driver_activity", fullFeatureNames: false },
        entitySource: {
          kind: "grid",
          view: "v",
          start: "2026-11-20T00:00:00Z",
          end: "2026-11-27T00:00:00Z",
          stepSeconds: 86400,
        },
      },
    });
  });

  it("names every missing part by the path the server uses", () => {
    expect(checkDraft(form({ mode: "features" }))).toEqual({
      ok: false,
      errors: {
        "selection.features": "Pick at least one feature",
        "entitySource.path": "Upload a CSV or Parquet file of entity rows",
      },
    });
    const grid = {
      view: "",
      start: "2026-11-27T00:00",
      end: "2026-11-20T00:00",
      step: { amount: "0.5", unit: "seconds" as const },
    };
    const r = checkDraft(form({ featureService: "s", source: "grid", grid }));
    expect(r.ok).toBe(false);
    expect(!r.ok && Object.keys(r.errors).sort()).toEqual([
      "entitySource.start",
      "entitySource.stepSeconds",
      "entitySource.view",
    ]);
    expect(checkDraft(form({ featureService: "s", source: "query", sql: "  " }))).toMatchObject({
      ok: false,
      errors: { "entitySource.sql": expect.any(String) },
    });
  });

  it("needs a valid name to save", () => {
    const upload = {
      path: "uploads/a.csv",
      fileName: "a.csv",
      format: "csv" as const,
      rows: 3,
      columns: ["k"],
    };
    const ok = form({ featureService: "s", upload, name: "train_1", storage: "parquet" });
    expect(checkCreate(ok)).toMatchObject({
      ok: true,
      value: {
        name: "train_1",
        storage: "parquet",
        entitySource: { kind: "upload", path: "uploads/a.csv", format: "csv", fileName: "a.csv" },
      },
    });
    expect(checkCreate({ ...ok, name: "" })).toEqual({ ok: false, errors: { name: "Required" } });
    expect(checkCreate({ ...ok, name: "Train" })).toMatchObject({
      ok: false,
      errors: { name: expect.any(String) },
    });
  });

  it("puts a server error next to the input it names", () => {
    const cases: [string, string | null][] = [
      ["name", "name"],
      ["selection.features", "selection.features"],
      ["selection.features.2", "selection.features"],
      ["selection.featureService", "selection.featureService"],
      ["selection.fullFeatureNames", "selection.fullFeatureNames"],
      ["entitySource.sql", "entitySource.sql"],
      ["entitySource.stepSeconds", "entitySource.stepSeconds"],
      ["entitySource.path", "entitySource.path"],
      ["entitySource", "entitySource"],
      ["entities.driver_id", "entitySource"],
      ["project", null],
      ["something", null],
    ];
    for (const [field, key] of cases) expect(formErrorKey(field), field).toBe(key);
  });
});
