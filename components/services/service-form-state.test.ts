import { describe, expect, it } from "vitest";
import {
  emptyServiceForm,
  rowPathOfRef,
  type ServiceViewRow,
  serviceRefs,
  serviceRowsFrom,
  validateServiceForm,
} from "./service-form-state";

const rows: ServiceViewRow[] = [
  { id: "a", view: "driver_stats", all: false, features: ["conv_rate", "acc_rate"] },
  { id: "b", view: "", all: true, features: [] },
  { id: "c", view: "customer", all: true, features: [] },
];

describe("feature service form", () => {
  it("turns rows into view:feature references and back", () => {
    expect(serviceRefs(rows)).toEqual(["driver_stats:conv_rate", "driver_stats:acc_rate", "customer:*"]);
    const back = serviceRowsFrom(["driver_stats:conv_rate", "customer:*", "driver_stats:acc_rate"]);
    expect(back.map(({ view, all, features }) => ({ view, all, features }))).toEqual([
      { view: "driver_stats", all: false, features: ["conv_rate", "acc_rate"] },
      { view: "customer", all: true, features: [] },
    ]);
  });

  it("sends a server error on reference n to the row that made it", () => {
    expect(rowPathOfRef(rows, "features.0")).toBe("views.0.features");
    expect(rowPathOfRef(rows, "features.1")).toBe("views.0.features");
    expect(rowPathOfRef(rows, "features.2")).toBe("views.2.features");
    expect(rowPathOfRef(rows, "features.9")).toBe("views");
    expect(rowPathOfRef(rows, "name")).toBe("name");
  });

  it("checks each row before the schema", () => {
    const r = validateServiceForm({
      ...emptyServiceForm(),
      name: "svc",
      views: [
        { id: "a", view: "", all: true, features: [] },
        { id: "b", view: "v", all: false, features: [] },
        { id: "c", view: "v", all: true, features: [] },
      ],
    });
    expect(r).toEqual({
      ok: false,
      errors: {
        "views.0.view": "Choose a feature view",
        "views.1.features": "Choose at least one feature, or all of them",
        "views.2.view": '"v" is already in the list',
      },
    });
    // One row with no feature picked: the row says so, not zod's "too small" for the whole list.
    expect(
      validateServiceForm({
        ...emptyServiceForm(),
        name: "svc",
        views: [{ id: "a", view: "v", all: false, features: [] }],
      }),
    ).toEqual({ ok: false, errors: { "views.0.features": "Choose at least one feature, or all of them" } });
    expect(validateServiceForm({ ...emptyServiceForm(), name: "svc", views: [] })).toEqual({
      ok: false,
      errors: { views: "Add at least one feature view" },
    });
  });

  it("accepts a complete service", () => {
    const r = validateServiceForm({ ...emptyServiceForm(), name: "svc", views: rows.filter((x) => x.view) });
    expect(r).toEqual({
      ok: true,
      value: {
        name: "svc",
        description: "",
        owner: "",
        tags: {},
        features: ["driver_stats:conv_rate", "driver_stats:acc_rate", "customer:*"],
      },
    });
  });
});
