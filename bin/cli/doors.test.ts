import { describe, expect, it } from "vitest";
import { ACTIONS } from "../../server/auth/roles";
import { COMMANDS } from "./main";

describe("CLI doors", () => {
  it("every command declares the action it needs", () => {
    const names = Object.keys(COMMANDS);
    expect(names.length).toBeGreaterThan(0);
    for (const [name, command] of Object.entries(COMMANDS)) {
      const ok = command.action === "local" || command.action in ACTIONS;
      expect(ok, `${name} declares "${String(command.action)}"`).toBe(true);
    }
  });
});
