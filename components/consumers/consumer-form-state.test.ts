import { describe, expect, it } from "vitest";
import { consumerFormFrom, emptyConsumerForm, validateConsumerForm } from "./consumer-form-state";

describe("consumer form", () => {
  it("keeps the datasets it does not edit", () => {
    const form = consumerFormFrom({
      name: "eta",
      kind: "model",
      featureServices: ["svc"],
      datasets: ["train_1"],
      description: "",
      owner: "",
      tags: {},
    });
    const r = validateConsumerForm({ ...form, kind: "service" });
    expect(r).toEqual({
      ok: true,
      value: {
        name: "eta",
        kind: "service",
        featureServices: ["svc"],
        datasets: ["train_1"],
        description: "",
        owner: "",
        tags: {},
      },
    });
  });

  it("names a blank, bad or taken name", () => {
    expect(validateConsumerForm(emptyConsumerForm())).toEqual({
      ok: false,
      errors: { name: "Enter a name" },
    });
    const bad = validateConsumerForm({ ...emptyConsumerForm(), name: "ETA" });
    expect(!bad.ok && bad.errors.name).toMatch(/lowercase/);
    expect(validateConsumerForm({ ...emptyConsumerForm(), name: "eta" }, ["eta"])).toEqual({
      ok: false,
      errors: { name: 'A consumer named "eta" already exists' },
    });
  });
});
