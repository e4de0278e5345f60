import { describe, expect, it } from "vitest";
import { signInMessage } from "./auth-api";

describe("signInMessage", () => {
  it("says what went wrong without telling which of email or password", () => {
    expect(signInMessage({ ok: false, status: 401, message: "Invalid email or password" })).toBe(
      "Wrong email or password",
    );
  });
  it("asks to wait when sign-in is throttled", () => {
    expect(signInMessage({ ok: false, status: 429, message: "Too many requests." })).toBe(
      "Too many attempts, wait a minute",
    );
  });
});
