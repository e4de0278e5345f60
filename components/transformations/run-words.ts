import { formatUtc } from "@/components/jobs/run-format";

/** How transformation runs read on the page (docs/adr/0035-batch-transformations.md). */

/** The runs the page shows (and its server render prefetches): the newest 20. */
export const runsInput = (project: string, name: string) => ({ project, name, limit: 20 });

export interface RunWindow {
  mode: "full" | "incremental" | "backfill";
  startTs: Date | null;
  endTs: Date | null;
}

/** The rows a run recomputes: the whole table, or its event-time window [start, end) in UTC. */
export function runWindowText(run: RunWindow): string {
  if (run.mode === "full" || !run.startTs || !run.endTs) return "whole table";
  return `${formatUtc(run.startTs)} → ${formatUtc(run.endTs)}`;
}

export const MODE_WORDS: Record<RunWindow["mode"], string> = {
  full: "full refresh",
  incremental: "incremental",
  backfill: "backfill",
};

/** What Run does next, in words, for its button's tooltip and the page. */
export function nextRunWords(t: { incremental: boolean; computedUntil: Date | null }): string {
  if (!t.incremental) return "a full refresh (this SQL cannot run incrementally)";
  if (!t.computedUntil) return "a full refresh (nothing computed yet)";
  return `incremental, from ${formatUtc(t.computedUntil)} UTC to now (a full refresh when the version changed)`;
}
