import { NAME_PATTERN } from "@/server/core/name";
import { RUN_STATUSES, type RunStatus, type RunWindow } from "@/server/core/vocabulary";

/**
 * The jobs page's URL contract, shared by the server page (to prefetch) and the client list:
 * `?view=<feature view>` shows one view's runs, `?status=failed` one status's, `?within=24h` the
 * runs created in that window (the server's clock). Unknown values are ignored.
 */

export const RUNS_LIMIT = 100;

export const RUN_STATUS_FILTERS = RUN_STATUSES;
export type RunStatusFilter = RunStatus;
export const RUN_WINDOW_LABELS: Record<RunWindow, string> = {
  "1h": "Last hour",
  "24h": "Last 24 hours",
  "7d": "Last 7 days",
  "30d": "Last 30 days",
};
export type { RunWindow };

export interface JobsState {
  view: string | undefined;
  status: RunStatusFilter | undefined;
  within: RunWindow | undefined;
}

export function readJobsState(params: Pick<URLSearchParams, "get">): JobsState {
  const view = params.get("view") ?? "";
  const status = params.get("status");
  const within = params.get("within");
  return {
    view: NAME_PATTERN.test(view) ? view : undefined,
    status: RUN_STATUS_FILTERS.find((s) => s === status),
    within: (Object.keys(RUN_WINDOW_LABELS) as RunWindow[]).find((w) => w === within),
  };
}

/** The jobs.list input for a state; server and client build it the same way. */
export function jobsInput(project: string, s: JobsState) {
  return {
    project,
    ...(s.view ? { featureView: s.view } : {}),
    ...(s.status ? { status: s.status } : {}),
    ...(s.within ? { within: s.within } : {}),
    limit: RUNS_LIMIT,
  };
}

/** The query string of a state (only what is set, in a fixed order). */
export function jobsQuery(s: JobsState): string {
  const q = new URLSearchParams();
  if (s.view) q.set("view", s.view);
  if (s.status) q.set("status", s.status);
  if (s.within) q.set("within", s.within);
  const text = q.toString();
  return text ? `?${text}` : "";
}

/** How many runs a feature view's page shows (its materialization panel). */
export const RECENT_RUNS = 10;

/** The jobs.list input of a feature view's page: its server page prefetches it, the panel reads it. */
export function recentRunsInput(project: string, featureView: string) {
  return { project, featureView, limit: RECENT_RUNS };
}

export function jobsHref(project: string, view?: string): string {
  const base = `/p/${encodeURIComponent(project)}/jobs`;
  return view ? `${base}?view=${encodeURIComponent(view)}` : base;
}
