import { Badge, type Tone } from "@/components/ui/badge";
import type {
  AlertEvent,
  AlertFormat,
  DeliveryEvent,
  DeliveryStatus,
  IncidentCause,
} from "@/server/core/vocabulary";

/** Alerts' vocabulary in words, for the Alerts page and the breach history (docs/adr/0032-alerts.md). */

export const EVENT_LABEL: Record<DeliveryEvent, string> = {
  breach: "Breach",
  failed_run: "Failed run",
  recovery: "Recovery",
  drift: "Drift",
  test: "Test",
};

export const EVENT_HINT: Record<AlertEvent, string> = {
  breach: "A view with an SLA is late or was never materialized",
  failed_run: "A view's last materialization run failed",
  recovery: "A breach or failure this rule was told of is over",
  drift: "A feature's distribution moved past its threshold",
};

export const FORMAT_LABEL: Record<AlertFormat, string> = { json: "JSON", slack: "Slack", teams: "Teams" };

export const FORMAT_HINT: Record<AlertFormat, string> = {
  json: "Quiver's own JSON body: event, project, view, incident, cause, times, link",
  slack: "{text, blocks}: a Slack incoming webhook, or any Slack-compatible receiver",
  teams: "An Adaptive Card in attachments: a Microsoft Teams workflow webhook",
};

export const CAUSE_LABEL: Record<IncidentCause, string> = {
  failed_run: "Failed run",
  no_run: "No recent run",
  late_source_data: "Late source data",
};

export const CAUSE_MEANING: Record<IncidentCause, string> = {
  failed_run: "The view's last materialization run failed",
  no_run: "No materialization run succeeded within the SLA (or ever)",
  late_source_data: "The source's newest data is older than the SLA: no run could catch up",
};

const STATUS_TONE: Record<DeliveryStatus, Tone> = { pending: "amber", delivered: "green", failed: "red" };

export function DeliveryStatusBadge({ status }: { status: DeliveryStatus }) {
  return <Badge tone={STATUS_TONE[status]}>{status}</Badge>;
}

export function CauseBadge({ cause }: { cause: IncidentCause }) {
  return (
    <Badge
      tone={cause === "failed_run" ? "red" : cause === "late_source_data" ? "violet" : "amber"}
      title={CAUSE_MEANING[cause]}
    >
      {CAUSE_LABEL[cause]}
    </Badge>
  );
}

/** "2 h 5 min", "40 s". */
export function durationWords(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** A UTC time as people read it in tables: 2026-03-01 12:00:05 UTC, with the ISO form as its title. */
export function UtcTime({ date }: { date: Date | null }) {
  if (!date) return <span className="text-zinc-400">—</span>;
  const iso = date.toISOString();
  return (
    <time dateTime={iso} title={iso} className="tabular-nums whitespace-nowrap">
      {iso.slice(0, 19).replace("T", " ")}
    </time>
  );
}
