import { describe, expect, it } from "vitest";
import { freshnessState } from "./state";

const sla = 3600;

describe("freshnessState", () => {
  it.each([
    ["never run", { slaSeconds: sla, lagSeconds: null, lastRunStatus: null }, "never_materialized"],
    ["never run, no SLA", { slaSeconds: null, lagSeconds: null, lastRunStatus: null }, "never_materialized"],
    [
      "only run cancelled",
      { slaSeconds: null, lagSeconds: null, lastRunStatus: "cancelled" },
      "never_materialized",
    ],
    [
      "first run still going",
      { slaSeconds: sla, lagSeconds: null, lastRunStatus: "running" },
      "never_materialized",
    ],
    ["only run failed", { slaSeconds: sla, lagSeconds: null, lastRunStatus: "failed" }, "failing"],
    [
      "last run failed, lag within the SLA",
      { slaSeconds: sla, lagSeconds: 60, lastRunStatus: "failed" },
      "failing",
    ],
    ["last run failed, no SLA", { slaSeconds: null, lagSeconds: 60, lastRunStatus: "failed" }, "failing"],
    ["lag past the SLA", { slaSeconds: sla, lagSeconds: sla + 1, lastRunStatus: "succeeded" }, "late"],
    ["lag past 80 % of it", { slaSeconds: sla, lagSeconds: 2881, lastRunStatus: "succeeded" }, "at_risk"],
    ["lag exactly the SLA", { slaSeconds: sla, lagSeconds: sla, lastRunStatus: "succeeded" }, "at_risk"],
    ["lag exactly 80 %", { slaSeconds: sla, lagSeconds: 2880, lastRunStatus: "succeeded" }, "met"],
    ["met after a cancelled run", { slaSeconds: sla, lagSeconds: 10, lastRunStatus: "cancelled" }, "met"],
    ["materialized, no SLA", { slaSeconds: null, lagSeconds: 99_999, lastRunStatus: "succeeded" }, "no_sla"],
  ] as const)("%s", (_, view, expected) => {
    expect(freshnessState(view)).toBe(expected);
  });
});
