import { Badge, type Tone } from "@/components/ui/badge";

export type FreshnessStatus = "failing" | "never_materialized" | "late" | "at_risk" | "met" | "no_sla";

/** Worst first: the order of the summary and of the table (server/freshness/state.ts). */
export const FRESHNESS_STATUSES: FreshnessStatus[] = [
  "failing",
  "never_materialized",
  "late",
  "at_risk",
  "met",
  "no_sla",
];

export const FRESHNESS_LABEL: Record<FreshnessStatus, string> = {
  failing: "Failing",
  never_materialized: "Never materialized",
  late: "Late",
  at_risk: "At risk",
  met: "SLA met",
  no_sla: "No SLA",
};

/** What each state means, for the summary cards' titles. */
export const FRESHNESS_MEANING: Record<FreshnessStatus, string> = {
  failing: "The view's last materialization run failed",
  never_materialized: "No materialization run has succeeded yet",
  late: "The lag is past the freshness SLA",
  at_risk: "The lag is past 80 % of the freshness SLA",
  met: "The lag is within 80 % of the freshness SLA",
  no_sla: "Materialized, with no freshness SLA set",
};

export const FRESHNESS_TONE: Record<FreshnessStatus, Tone> = {
  failing: "red",
  never_materialized: "amber",
  late: "red",
  at_risk: "amber",
  met: "green",
  no_sla: "gray",
};

/** A status from the URL (?status=), or null for anything else. */
export function freshnessStatusOf(value: string | null): FreshnessStatus | null {
  return FRESHNESS_STATUSES.find((s) => s === value) ?? null;
}

export function FreshnessBadge({ status }: { status: FreshnessStatus }) {
  return <Badge tone={FRESHNESS_TONE[status]}>{FRESHNESS_LABEL[status]}</Badge>;
}
