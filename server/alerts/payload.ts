import "server-only";
import type { AlertEvent, IncidentCause } from "../core/vocabulary";
import { env } from "../env";

/**
 * The event a delivery carries, as the generic JSON body sends it (docs/adr/0032-alerts.md, "Bodies").
 * Stored on the delivery row when it is created, so every attempt sends the same event.
 */
export interface AlertPayload {
  event: AlertEvent | "test";
  project: string;
  featureView: string | null;
  incident: {
    id: string;
    cause: IncidentCause;
    openedAt: string;
    closedAt: string | null;
    durationSeconds: number | null;
  } | null;
  /** When the event happened (ISO 8601, UTC). */
  occurredAt: string;
  /** One sentence a person reads in a chat message. */
  summary: string;
  /** Where to look in Quiver. */
  link: string;
  details: Record<string, unknown>;
}

export const CAUSE_WORDS: Record<IncidentCause, string> = {
  failed_run: "its last materialization run failed",
  no_run: "no materialization run succeeded within its SLA",
  late_source_data: "its source's newest data is older than the SLA",
};

/** The app's address for links: QUIVER_PUBLIC_URL, else this host's port. */
export function appBaseUrl(): string {
  const e = env();
  return (e.QUIVER_PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, "");
}

export function viewLink(project: string, view: string | null): string {
  const base = `${appBaseUrl()}/p/${encodeURIComponent(project)}`;
  return view ? `${base}/views/${encodeURIComponent(view)}` : `${base}/alerts`;
}

export function incidentPayload(args: {
  event: "breach" | "failed_run" | "recovery";
  project: string;
  featureView: string;
  incident: {
    id: string;
    cause: IncidentCause;
    openedAt: Date;
    closedAt: Date | null;
    details: Record<string, unknown>;
  };
}): AlertPayload {
  const { incident: i, event, project, featureView } = args;
  const at = event === "recovery" && i.closedAt ? i.closedAt : i.openedAt;
  const duration = i.closedAt ? Math.round((i.closedAt.getTime() - i.openedAt.getTime()) / 1000) : null;
  const summary =
    event === "recovery"
      ? `Feature view ${project}/${featureView} recovered after ${formatDuration(duration ?? 0)}.`
      : `Feature view ${project}/${featureView} is in breach: ${CAUSE_WORDS[i.cause]}.`;
  return {
    event,
    project,
    featureView,
    incident: {
      id: i.id,
      cause: i.cause,
      openedAt: i.openedAt.toISOString(),
      closedAt: i.closedAt?.toISOString() ?? null,
      durationSeconds: duration,
    },
    occurredAt: at.toISOString(),
    summary,
    link: viewLink(project, featureView),
    details: i.details,
  };
}

/** "2 h 5 min", "40 s": short, for chat messages. */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours < 48) return rest ? `${hours} h ${rest} min` : `${hours} h`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}
