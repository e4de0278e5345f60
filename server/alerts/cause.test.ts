import { describe, expect, it } from "vitest";
import { breachCause } from "./cause";

const now = new Date("2026-03-01T12:00:00Z");
const hourAgo = new Date("2026-03-01T11:00:00Z");
const minuteAgo = new Date("2026-03-01T11:59:00Z");

describe("breachCause", () => {
  // Written by hand from ADR 0032's table: state, SLA, newest source event → cause.
  const cases: [Parameters<typeof breachCause>[0], ReturnType<typeof breachCause>][] = [
    [{ status: "failing", slaSeconds: null, newestSourceEvent: null }, "failed_run"],
    [{ status: "failing", slaSeconds: 600, newestSourceEvent: hourAgo }, "failed_run"],
    [{ status: "never_materialized", slaSeconds: 600, newestSourceEvent: null }, "no_run"],
    [{ status: "never_materialized", slaSeconds: null, newestSourceEvent: null }, null],
    [{ status: "late", slaSeconds: 600, newestSourceEvent: minuteAgo }, "no_run"],
    [{ status: "late", slaSeconds: 600, newestSourceEvent: null }, "no_run"],
    [{ status: "late", slaSeconds: 600, newestSourceEvent: hourAgo }, "late_source_data"],
    [{ status: "late", slaSeconds: 7200, newestSourceEvent: hourAgo }, "no_run"],
    [{ status: "at_risk", slaSeconds: 600, newestSourceEvent: hourAgo }, null],
    [{ status: "met", slaSeconds: 600, newestSourceEvent: minuteAgo }, null],
    [{ status: "no_sla", slaSeconds: null, newestSourceEvent: minuteAgo }, null],
  ];
  it.each(cases)("%o → %s", (view, cause) => {
    expect(breachCause(view, now)).toBe(cause);
  });
});
