import "server-only";
import type { StreamAggregationFunction, StreamWindowKind } from "../core/vocabulary";

/**
 * What the stream engine needs of a stream view (docs/adr/0037-stream-aggregations.md): the
 * registry's spec (server/streams/registry) reduced to the engine's terms. Times are integer
 * milliseconds since the epoch (UTC).
 */
export interface StreamAggregation {
  /** The feature's name. */
  name: string;
  /** The event field aggregated; ignored (may be empty) for count. */
  column: string;
  function: StreamAggregationFunction;
  windowSeconds: number;
  kind: StreamWindowKind;
}

export interface StreamEngineSpec {
  project: string;
  view: string;
  /** Tile (bucket) size in seconds; every window is a multiple of it. */
  tileSeconds: number;
  /** Events older than the watermark minus this are dropped (counted as late). */
  allowedLatenessSeconds: number;
  aggregations: StreamAggregation[];
}

/** One event, parsed: its id, entity key (server/online/entity-key.ts), time and field values. */
export interface StreamEvent {
  id: string;
  entityKey: string;
  tsMs: number;
  /** Field values as the event carried them (strings from a Redis Stream); absent = null. */
  values: Record<string, string | undefined>;
}

/** The columns the tiles keep statistics for: every aggregated column but count's, sorted, once. */
export function tileColumns(spec: Pick<StreamEngineSpec, "aggregations">): string[] {
  return [...new Set(spec.aggregations.filter((a) => a.function !== "count").map((a) => a.column))].sort();
}

/** The largest window in seconds (0 with no aggregation). */
export function maxWindowSeconds(spec: Pick<StreamEngineSpec, "aggregations">): number {
  return Math.max(0, ...spec.aggregations.map((a) => a.windowSeconds));
}

/**
 * How long tiles and dedupe marks are kept, in ms: past this far behind the watermark no event
 * can land in a tile (lateness) and no read at or after watermark − lateness reads it (window),
 * plus one tile for the tile in progress.
 */
export function retentionMs(spec: StreamEngineSpec): number {
  return (spec.allowedLatenessSeconds + maxWindowSeconds(spec) + spec.tileSeconds) * 1000;
}

/** The index of the tile holding time `ms`: tile k covers [k·T, (k+1)·T). */
export function tileOf(ms: number, tileSeconds: number): number {
  return Math.floor(ms / (tileSeconds * 1000));
}

/**
 * The tiles a window value at read time `atMs` covers, inclusive: sliding = the n = W/T tiles
 * ending with the tile holding atMs; tumbling = the tiles of the epoch-aligned window of W holding
 * atMs, up to the tile holding atMs. So the covered event times are [first·T, (last+1)·T).
 */
export function windowTiles(
  agg: Pick<StreamAggregation, "windowSeconds" | "kind">,
  tileSeconds: number,
  atMs: number,
): { first: number; last: number } {
  const last = tileOf(atMs, tileSeconds);
  const n = agg.windowSeconds / tileSeconds;
  if (agg.kind === "sliding") return { first: last - n + 1, last };
  return { first: Math.floor(last / n) * n, last };
}

/**
 * The engine's rules on a spec (the registry's schema checks the same before it stores one):
 * positive integer tile, windows whole multiples of it, a column for every function but count.
 */
export function checkEngineSpec(spec: StreamEngineSpec): string | undefined {
  if (!Number.isInteger(spec.tileSeconds) || spec.tileSeconds <= 0)
    return "tile size must be a positive integer";
  if (!Number.isInteger(spec.allowedLatenessSeconds) || spec.allowedLatenessSeconds < 0)
    return "allowed lateness must be a non-negative integer";
  for (const a of spec.aggregations) {
    if (
      !Number.isInteger(a.windowSeconds) ||
      a.windowSeconds <= 0 ||
      a.windowSeconds % spec.tileSeconds !== 0
    )
      return `aggregation ${a.name}: window must be a positive multiple of the tile size (${spec.tileSeconds} s)`;
    if (a.function !== "count" && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(a.column))
      return `aggregation ${a.name}: column must be an event field name`;
  }
  return undefined;
}
