import { NAME_PATTERN } from "@/server/core/name";

/**
 * The jobs page's URL contract, shared by the server page (to prefetch) and the client list:
 * `?view=<feature view>` shows one view's runs.
 */

export const RUNS_LIMIT = 100;

export interface JobsState {
  view: string | undefined;
}

export function readJobsState(params: Pick<URLSearchParams, "get">): JobsState {
  const view = params.get("view") ?? "";
  return { view: NAME_PATTERN.test(view) ? view : undefined };
}

/** The jobs.list input for a state; server and client build it the same way. */
export function jobsInput(project: string, s: JobsState) {
  return s.view ? { project, featureView: s.view, limit: RUNS_LIMIT } : { project, limit: RUNS_LIMIT };
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
