/**
 * The freshness states of transformations and stream views (docs/adr/0040), worst first. Pure:
 * the board and the tests name a state from the same facts.
 */

export const TRANSFORMATION_FRESHNESS_STATES = ["failing", "never_run", "stale", "fresh"] as const;
export type TransformationFreshnessState = (typeof TRANSFORMATION_FRESHNESS_STATES)[number];

export const STREAM_FRESHNESS_STATES = ["unavailable", "failing", "stale", "fresh"] as const;
export type StreamFreshnessState = (typeof STREAM_FRESHNESS_STATES)[number];

/**
 * A transformation: `failing` when its newest run failed (whatever its watermark); `never_run`
 * when no run has succeeded (no watermark); `stale` when a probed input holds an event at or
 * past the watermark (rows the output does not cover yet); else `fresh`. An input whose probe is
 * pending or failed cannot make it stale: the board says the input is unknown.
 */
export function transformationState(t: {
  lastRunStatus: string | null;
  watermark: Date | null;
  newestInput: Date | null;
}): TransformationFreshnessState {
  if (t.lastRunStatus === "failed") return "failing";
  if (!t.watermark) return "never_run";
  if (t.newestInput && t.newestInput.getTime() >= t.watermark.getTime()) return "stale";
  return "fresh";
}

/** A consumer idle longer than this is not consuming: entries waiting with none active is failing. */
export const STREAM_STALL_MS = 60_000;

/**
 * A stream view: `unavailable` when Redis cannot be read; `failing` when entries wait (not yet
 * delivered, or delivered and not acknowledged) and no consumer of its group was active within
 * STREAM_STALL_MS (the stream worker is down); `stale` when entries wait undelivered while a
 * consumer is active (it is behind); else `fresh`. Pending entries alone, with a consumer active,
 * are the batch in hand: fresh.
 */
export function streamState(s: {
  available: boolean;
  /** Entries not yet delivered to the group; null when Redis cannot tell. */
  lag: number | null;
  pending: number;
  consumers: number;
  /** The most recently active consumer's idle time, null without consumers. */
  idleMs: number | null;
}): StreamFreshnessState {
  if (!s.available) return "unavailable";
  const waiting = (s.lag ?? 0) > 0 || s.pending > 0;
  const active = s.consumers > 0 && s.idleMs !== null && s.idleMs <= STREAM_STALL_MS;
  if (waiting && !active) return "failing";
  if ((s.lag ?? 0) > 0) return "stale";
  return "fresh";
}
