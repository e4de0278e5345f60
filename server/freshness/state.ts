/**
 * A view's freshness state, worst first. Precedence: a failed last run is `failing` whatever the
 * lag (the view will not catch up on its own); no successful run yet (none, or only cancelled or
 * running ones) is `never_materialized`; then, against the SLA, `late` past it, `at_risk` past
 * AT_RISK_SHARE of it, else `met`; a materialized view without an SLA is `no_sla`.
 */
import type { FreshnessState } from "../core/vocabulary";

// The list lives in the vocabulary: lag_samples' CHECK is built from it (schema imports only core).
export { FRESHNESS_STATES, type FreshnessState } from "../core/vocabulary";

/** The share of the SLA past which a view is at risk. */
export const AT_RISK_SHARE = 0.8;

export function freshnessState(view: {
  slaSeconds: number | null;
  /** Seconds since the watermark; null when no run has succeeded. */
  lagSeconds: number | null;
  /** The status of the view's newest run, null when it has none. */
  lastRunStatus: string | null;
}): FreshnessState {
  if (view.lastRunStatus === "failed") return "failing";
  if (view.lagSeconds === null) return "never_materialized";
  if (view.slaSeconds === null) return "no_sla";
  if (view.lagSeconds > view.slaSeconds) return "late";
  if (view.lagSeconds > AT_RISK_SHARE * view.slaSeconds) return "at_risk";
  return "met";
}
