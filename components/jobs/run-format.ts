import { humanizeSeconds } from "@/components/ui/format";

/**
 * Formatting of runs. Times are shown in UTC: the server renders the first paint, so a local time
 * would differ between the server's and the browser's time zone.
 */

const pad = (n: number) => String(n).padStart(2, "0");

/** "2026-11-27 04:00" (UTC); seconds only when they are not zero. */
export function formatUtc(d: Date): string {
  const base = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  return d.getUTCSeconds() === 0 ? base : `${base}:${pad(d.getUTCSeconds())}`;
}

/** How long a run took, or has been running (until `now`); null before it started. */
export function runDurationSeconds(
  run: { startedAt: Date | null; finishedAt: Date | null },
  now: Date = new Date(),
): number | null {
  if (!run.startedAt) return null;
  const end = run.finishedAt ?? now;
  return Math.max(0, (end.getTime() - run.startedAt.getTime()) / 1000);
}

/** "850 ms", "12 s", "3 min 4 s". */
export function formatDuration(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  return humanizeSeconds(Math.round(seconds));
}
