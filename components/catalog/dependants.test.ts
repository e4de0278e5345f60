import { describe, expect, it } from "vitest";
import { dependantsOf, namedDependants } from "./dependants";

describe("dependantsOf", () => {
  it("reads each dependant of a refused delete, with its kind", () => {
    const message =
      'entity "driver" cannot be deleted: feature view "driver_hourly_stats", feature view "trips" depend on it; delete or change them first';
    expect(dependantsOf(message)).toEqual([
      { kind: "view", words: "feature view", name: "driver_hourly_stats", replacement: false },
      { kind: "view", words: "feature view", name: "trips", replacement: false },
    ]);
  });

  it("knows services, consumers, datasets, runs and replacements", () => {
    const message =
      'feature view "v" cannot be deleted: feature service "svc", saved dataset "train_1", active materialization run "4f1c", deprecated feature view "old_v" (names it as its replacement) depend on it; delete or change them first';
    expect(dependantsOf(message)).toEqual([
      { kind: "service", words: "feature service", name: "svc", replacement: false },
      { kind: "dataset", words: "saved dataset", name: "train_1", replacement: false },
      { kind: null, words: "active materialization run", name: "4f1c", replacement: false },
      { kind: "view", words: "feature view", name: "old_v", replacement: true },
    ]);
    expect(
      dependantsOf(
        'feature service "s" cannot be deleted: consumer "eta" depends on it; delete or change it first',
      ),
    ).toEqual([{ kind: "consumer", words: "consumer", name: "eta", replacement: false }]);
  });

  it("finds none in other messages", () => {
    expect(dependantsOf('entity "x" not found in project "demo"')).toEqual([]);
  });
});

describe("namedDependants", () => {
  it("reads `<kind>.dependants` the way the 409 is read", () => {
    expect(
      namedDependants([
        { kind: "feature_service", name: "svc", relation: "projects" },
        { kind: "materialization_run", name: "4f1c", relation: "running" },
        { kind: "feature_view", name: "old_v", relation: "replaced by" },
      ]),
    ).toEqual([
      { kind: "service", words: "feature service", name: "svc", replacement: false },
      { kind: null, words: "active materialization run", name: "4f1c", replacement: false },
      { kind: "view", words: "feature view", name: "old_v", replacement: true },
    ]);
  });
});
