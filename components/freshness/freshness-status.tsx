import { Badge, type Tone } from "@/components/ui/badge";

export type FreshnessStatus = "met" | "breached" | "never_materialized" | "no_sla";

/** Worst first: the order of the summary and of the table. */
export const FRESHNESS_STATUSES: FreshnessStatus[] = ["breached", "never_materialized", "met", "no_sla"];

export const FRESHNESS_LABEL: Record<FreshnessStatus, string> = {
  met: "SLA met",
  breached: "SLA breached",
  never_materialized: "Never materialized",
  no_sla: "No SLA",
};

export const FRESHNESS_TONE: Record<FreshnessStatus, Tone> = {
  met: "green",
  breached: "red",
  never_materialized: "amber",
  no_sla: "gray",
};

export function FreshnessBadge({ status }: { status: FreshnessStatus }) {
  return <Badge tone={FRESHNESS_TONE[status]}>{FRESHNESS_LABEL[status]}</Badge>;
}
