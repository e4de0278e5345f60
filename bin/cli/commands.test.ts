import { describe, expect, it } from "vitest";
import { OPERATIONS } from "../../server/operations/catalog";
import { COMMANDS } from "./main";

/** The CLI is a door of the operations it names: both sides must agree. */
describe("CLI commands", () => {
  const named = Object.entries(COMMANDS).flatMap(([command, c]) =>
    c.operations === "local" ? [] : c.operations.map((op) => ({ command, op })),
  );

  it("name only operations that declare the CLI door", () => {
    const wrong = named
      .filter(({ op }) => !op.doors.includes("cli"))
      .map(({ command, op }) => `${command}: ${op.name}`);
    expect(wrong).toEqual([]);
  });

  it("cover every operation that declares the CLI door", () => {
    const covered = new Set(named.map(({ op }) => op.name));
    const missing = OPERATIONS.filter((op) => op.doors.includes("cli") && !covered.has(op.name)).map(
      (op) => op.name,
    );
    expect(missing).toEqual([]);
  });
});
