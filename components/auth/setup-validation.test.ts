import { describe, expect, it } from "vitest";
import { validateSetup } from "./setup-validation";

const ok = { name: "Ada", email: "ada@example.com", password: "correct horse", confirm: "correct horse" };

describe("validateSetup", () => {
  it("accepts a complete form", () => {
    expect(validateSetup(ok)).toEqual({});
  });
  it("names each wrong field", () => {
    expect(validateSetup({ name: " ", email: "ada", password: "short", confirm: "" })).toEqual({
      name: "Enter your name",
      email: "Enter an email address like ada@example.com",
      password: "Use at least 10 characters",
    });
    expect(validateSetup({ ...ok, confirm: "correct horsf" })).toEqual({
      confirm: "The passwords do not match",
    });
  });
});
