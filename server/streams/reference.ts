import "server-only";
import type { StreamEngineSpec, StreamEvent } from "./spec";
import { parseFieldValue, type WindowValue } from "./tiles";

/**
 * The stream semantics by brute force, from the raw events, without tiles (docs/adr/0037): the
 * oracle of the property test. Written from the ADR's definitions, not from tiles.ts.
 *
 * 1. Events are taken in arrival order. An id seen before is a duplicate. Otherwise, with wm the
 *    greatest event time taken so far, an event with ts < wm − lateness is late (dropped); else
 *    it is accepted and wm = max(wm, ts).
 * 2. The value at read time t of a window of W seconds over tiles of T seconds covers the accepted
 *    events of its entity with event time in [start, end), end = (⌊t/T⌋ + 1)·T, and
 *    start = end − W (sliding) or ⌊t/W⌋·W (tumbling).
 */
export interface ReferenceOutcome {
  accepted: StreamEvent[];
  duplicates: number;
  late: number;
  watermarkMs: number | null;
}

export function referenceAccept(spec: StreamEngineSpec, arrivals: readonly StreamEvent[]): ReferenceOutcome {
  const seen = new Set<string>();
  const accepted: StreamEvent[] = [];
  let wm: number | null = null;
  let duplicates = 0;
  let late = 0;
  for (const e of arrivals) {
    // an id names one event of one entity (the mark lives beside the entity's tiles)
    const id = `${e.entityKey}\u0000${e.id}`;
    if (seen.has(id)) {
      duplicates++;
      continue;
    }
    seen.add(id);
    if (wm !== null && e.tsMs < wm - spec.allowedLatenessSeconds * 1000) {
      late++;
      continue;
    }
    accepted.push(e);
    wm = wm === null ? e.tsMs : Math.max(wm, e.tsMs);
  }
  return { accepted, duplicates, late, watermarkMs: wm };
}

/** Window values of one entity at t by brute force over the accepted events (null: no event of that entity). */
export function referenceWindows(
  spec: StreamEngineSpec,
  accepted: readonly StreamEvent[],
  entityKey: string,
  atMs: number,
): Record<string, WindowValue> | null {
  const mine = accepted.filter((e) => e.entityKey === entityKey);
  if (mine.length === 0) return null;
  const T = spec.tileSeconds * 1000;
  const out: Record<string, WindowValue> = {};
  for (const a of spec.aggregations) {
    const W = a.windowSeconds * 1000;
    const end = (Math.floor(atMs / T) + 1) * T;
    const start = a.kind === "sliding" ? end - W : Math.floor(atMs / W) * W;
    const inside = mine.filter((e) => e.tsMs >= start && e.tsMs < end);
    const newest = inside.length === 0 ? null : Math.max(...inside.map((e) => e.tsMs));
    const vals = inside.map((e) => ({ e, v: parseFieldValue(e.values[a.column]) }));
    const nums = vals.flatMap(({ v }) => (typeof v === "number" ? [v] : []));
    const nonNull = vals.filter(({ v }) => v !== null);
    let value: number | string | null = null;
    if (a.function === "count") value = inside.length;
    else if (a.function === "sum") value = nums.reduce((s, x) => s + x, 0);
    else if (a.function === "avg")
      value = nums.length === 0 ? null : nums.reduce((s, x) => s + x, 0) / nums.length;
    else if (a.function === "min") value = nums.length === 0 ? null : Math.min(...nums);
    else if (a.function === "max") value = nums.length === 0 ? null : Math.max(...nums);
    else {
      // greatest event time; on a tie the greater id, byte by byte
      let best: { e: StreamEvent; v: number | string | null } | undefined;
      for (const x of nonNull)
        if (
          !best ||
          x.e.tsMs > best.e.tsMs ||
          (x.e.tsMs === best.e.tsMs && Buffer.compare(Buffer.from(x.e.id), Buffer.from(best.e.id)) > 0)
        )
          best = x;
      value = best ? best.v : null;
    }
    out[a.name] = { value, eventTsMs: newest };
  }
  return out;
}
