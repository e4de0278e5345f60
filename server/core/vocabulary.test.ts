import { describe, expect, it } from "vitest";
import {
  ACTIVE_RUN_STATUSES,
  isActiveRunStatus,
  isOneOf,
  isTerminalRunStatus,
  JOIN_KEY_TYPES,
  RUN_STATUSES,
  TERMINAL_RUN_STATUSES,
  VALUE_TYPES,
} from "./vocabulary";

// Expected values are written out by hand: a value slipping in or out of an array changes a
// CHECK constraint (and needs a migration), so it should also change this test.

describe("vocabulary", () => {
  it("lists run statuses active first, then final", () => {
    expect(RUN_STATUSES).toEqual(["queued", "running", "retrying", "succeeded", "failed", "cancelled"]);
    expect([...ACTIVE_RUN_STATUSES, ...TERMINAL_RUN_STATUSES].sort()).toEqual([...RUN_STATUSES].sort());
  });

  it.each([
    ["queued", true, false],
    ["running", true, false],
    ["retrying", true, false],
    ["succeeded", false, true],
    ["failed", false, true],
    ["cancelled", false, true],
    ["done", false, false],
    ["", false, false],
  ])("%j: active %s, terminal %s", (status, active, terminal) => {
    expect(isActiveRunStatus(status)).toBe(active);
    expect(isTerminalRunStatus(status)).toBe(terminal);
  });

  it("builds list types from the scalars, and join key types are scalars", () => {
    expect(VALUE_TYPES).toHaveLength(16);
    expect(VALUE_TYPES).toContain("list<unix_timestamp>");
    for (const t of JOIN_KEY_TYPES) expect(VALUE_TYPES).toContain(t);
  });

  it("narrows only exact members", () => {
    expect(isOneOf(["model", "service"], "model")).toBe(true);
    expect(isOneOf(["model", "service"], "Model")).toBe(false);
    expect(isOneOf(["model", "service"], 1)).toBe(false);
    expect(isOneOf(["model", "service"], undefined)).toBe(false);
  });
});
