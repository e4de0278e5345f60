import type { IncidentCause } from "../core/vocabulary";
import type { FreshnessState } from "../freshness/state";

/**
 * Whether a view is in breach, and why (docs/adr/0032-alerts.md), from what the freshness board
 * shows (ADR 0030), so an alert never says what the board does not:
 * - `failing` (its newest run failed) is a breach with or without an SLA: cause failed_run;
 * - with an SLA, `never_materialized` is a breach: cause no_run;
 * - with an SLA, `late` is a breach: late_source_data when the source's newest event (last probe)
 *   is itself older than the SLA, so no run could bring the view within it; else no_run.
 * `at_risk`, `met` and `no_sla` are not. Pure: unit-tested in cause.test.ts.
 */
export function breachCause(
  v: { status: FreshnessState; slaSeconds: number | null; newestSourceEvent: Date | null },
  now: Date,
): IncidentCause | null {
  if (v.status === "failing") return "failed_run";
  if (v.slaSeconds === null) return null;
  if (v.status === "never_materialized") return "no_run";
  if (v.status !== "late") return null;
  const sourceAge = v.newestSourceEvent ? (now.getTime() - v.newestSourceEvent.getTime()) / 1000 : null;
  return sourceAge !== null && sourceAge > v.slaSeconds ? "late_source_data" : "no_run";
}
