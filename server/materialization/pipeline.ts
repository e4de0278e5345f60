import "server-only";
import type { WriteResult } from "../online";

/**
 * The inner loop of a materialization: source batches in, online writes out, overlapped.
 *
 *   read n+1 (prefetched) ─┐
 *   write n-k … n (at most `writesInFlight`, concurrently) ─┐
 *   settle n-k: progress for every batch up to it, in order ─┘
 *
 * While batches are written, the next one is fetched and converted, and up to `writesInFlight`
 * writes run at once. Writes are settled strictly in the order they were sent: `settled` is told
 * about batch i only after batches 0..i have all been written, so the progress it records never
 * counts rows whose write has not finished, whatever order the store finishes them in. Memory is
 * bounded by `writesInFlight` batches being written, one being fetched and one being converted.
 *
 * Out of order finishing is harmless to the data itself: the batches of one run hold distinct
 * entities (one row per entity key), so no two writes in flight touch the same key.
 */

export interface Settled {
  /** Rows of the batch (source rows read). */
  rows: number;
  /** What the store reported for it. */
  result: WriteResult;
}

export interface PumpOptions<T> {
  /** Source batches; closed (return()) when the pump stops early. */
  source: AsyncGenerator<T[]>;
  /** Writes one batch; called in source order. */
  write(batch: T[]): Promise<WriteResult>;
  /**
   * Called once per batch, in source order, after that batch and every earlier one were written.
   * Returns false to stop: no further batch is sent; writes already in flight are waited for.
   */
  settled(s: Settled): Promise<boolean>;
  /** Writes at once, at least 1. */
  writesInFlight: number;
  /** Called before each source fetch and each write with the step now running (for error messages). */
  onStep?(step: "read" | "write"): void;
}

/** Pumps the source into the store. "done" when the source ran dry, "stopped" when `settled` said so. */
export async function pump<T>(opts: PumpOptions<T>): Promise<"done" | "stopped"> {
  const limit = Math.max(1, Math.floor(opts.writesInFlight));
  const inFlight: { rows: number; result: Promise<WriteResult> }[] = [];

  // Settles the oldest write; false when the caller asked to stop.
  const settleOldest = async (): Promise<boolean> => {
    const oldest = inFlight[0];
    if (!oldest) return true;
    opts.onStep?.("write");
    const result = await oldest.result;
    inFlight.shift();
    return opts.settled({ rows: oldest.rows, result });
  };

  try {
    opts.onStep?.("read");
    for await (const batch of prefetched(opts.source)) {
      opts.onStep?.("write");
      const result = opts.write(batch);
      // Awaited in order by settleOldest, or in finally; this only keeps a write that fails while
      // an earlier one is still pending from counting as an unhandled rejection meanwhile.
      result.catch(() => {});
      inFlight.push({ rows: batch.length, result });
      while (inFlight.length >= limit) if (!(await settleOldest())) return "stopped";
      opts.onStep?.("read");
    }
    while (inFlight.length > 0) if (!(await settleOldest())) return "stopped";
    return "done";
  } finally {
    // Stopped or failed: no write of this attempt outlives it.
    await Promise.allSettled(inFlight.map((w) => w.result));
  }
}

/**
 * Fetches the next batch while the caller works on the current one, so source reads overlap
 * conversion and writes. Closing early (break or error) waits out the fetch in flight, then
 * closes the source, which frees its connection.
 */
export async function* prefetched<T>(source: AsyncGenerator<T>): AsyncGenerator<T> {
  let next = source.next();
  try {
    for (;;) {
      const r = await next;
      if (r.done) return;
      next = source.next();
      // Handled when awaited above or in finally; this only keeps it from counting as unhandled.
      next.catch(() => {});
      yield r.value;
    }
  } finally {
    await next.catch(() => {});
    await source.return(undefined);
  }
}
