import "server-only";
import type { OnlineRow } from "./types";

/**
 * Collapses one write batch to one row per entity key: the greatest event time wins, and on equal
 * times the later row in the array (the same rule the stores apply across batches). Both stores
 * need it: Postgres cannot touch one row twice in a single INSERT ... ON CONFLICT, and doing it in
 * Redis too keeps the written/skipped counts identical between the two.
 *
 * The result is sorted by entity key so that concurrent Postgres writers lock rows in the same
 * order and cannot deadlock each other.
 *
 * A batch whose keys are already strictly increasing (a materialization batch usually is: the
 * source query returns one row per entity in key order) has nothing to collapse or sort; one pass
 * finds that out and the batch comes back as it is, without the map and the sort.
 */
export function latestPerKey(rows: readonly OnlineRow[]): readonly OnlineRow[] {
  let ordered = true;
  let previous: string | undefined;
  for (const row of rows) {
    if (Number.isNaN(row.eventTs.getTime()))
      throw new Error(`online row ${row.entityKey} has an invalid event time`);
    if (ordered && previous !== undefined && !(previous < row.entityKey)) ordered = false;
    previous = row.entityKey;
  }
  if (ordered) return rows;

  const byKey = new Map<string, OnlineRow>();
  for (const row of rows) {
    const kept = byKey.get(row.entityKey);
    if (!kept || kept.eventTs.getTime() <= row.eventTs.getTime()) byKey.set(row.entityKey, row);
  }
  return [...byKey.values()].sort((a, b) =>
    a.entityKey < b.entityKey ? -1 : a.entityKey > b.entityKey ? 1 : 0,
  );
}

export function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
