import "server-only";
import { count, eq } from "drizzle-orm";
import type { Ctx } from "../core/context";
import type { RunLogLevel } from "../core/vocabulary";
import type { Db } from "../db/client";
import { materializationRunLog } from "../db/schema";

/**
 * A run's short structured log (docs/adr/0034-lag-history-and-run-logs.md): what a person needs
 * to follow a run on the Jobs page, not a trace. Milestones (the window at each claim, a split,
 * a failure, a retry, success with totals, a stop) are always kept; batches are sampled: each
 * writer (an attempt, or one claim of a key range) notes its first FIRST_BATCHES batches, then
 * the batches whose number is a power of two, and no batch is noted once the run holds RUN_LOG_CAP
 * entries. Entries are buffered and written at batch boundaries, next to the progress update; a
 * failed write is logged and dropped, never the run's failure.
 */

/** Batch entries stop once the run's log holds this many entries (milestones are still written). */
export const RUN_LOG_CAP = 200;
/** Each writer notes every one of its first batches, then only batch 16, 32, 64, ... */
export const FIRST_BATCHES = 10;

export interface RunLogEntry {
  level: RunLogLevel;
  step: string;
  /** Safe to show: no secret, value or SQL (errors go through safe-error.ts first). */
  message: string;
  data?: Record<string, unknown>;
}

/** True for the batch numbers (1-based) a writer notes. */
export function batchNoted(n: number): boolean {
  return n <= FIRST_BATCHES || (n & (n - 1)) === 0;
}

export interface RunLog {
  /** Buffers a milestone; it is written by the next flush. */
  note(entry: RunLogEntry): void;
  /** Counts a settled batch and buffers it when the sampling rule keeps it. */
  batch(rowsRead: number, rowsWritten: number): void;
  /** Batches counted so far by this writer, and their rows. */
  readonly totals: { batches: number; rowsRead: number; rowsWritten: number };
  /** Writes what is buffered; never throws. */
  flush(): Promise<void>;
}

/** A writer of the run's log; `scope` goes into every entry's data (a key range's index, say). */
export function openRunLog(
  ctx: Pick<Ctx, "db" | "log">,
  runId: string,
  scope: Record<string, unknown> = {},
): RunLog {
  // In the order noted; a sampled batch may be dropped by the cap, a milestone never.
  const buffer: { entry: RunLogEntry; capped: boolean }[] = [];
  const totals = { batches: 0, rowsRead: 0, rowsWritten: 0 };
  const rangeLabel = typeof scope.range === "string" ? `${scope.range}, ` : "";
  return {
    totals,
    note(entry) {
      buffer.push({ entry: { ...entry, data: { ...scope, ...entry.data } }, capped: false });
    },
    batch(rowsRead, rowsWritten) {
      totals.batches += 1;
      totals.rowsRead += rowsRead;
      totals.rowsWritten += rowsWritten;
      const n = totals.batches;
      if (!batchNoted(n)) return;
      buffer.push({
        capped: true,
        entry: {
          level: "info",
          step: "batch",
          message: `${rangeLabel}batch ${n}: read ${rowsRead} rows, wrote ${rowsWritten}`,
          data: {
            ...scope,
            batch: n,
            rowsRead,
            rowsWritten,
            totalRead: totals.rowsRead,
            totalWritten: totals.rowsWritten,
          },
        },
      });
    },
    async flush() {
      if (buffer.length === 0) return;
      const pending = buffer.splice(0);
      try {
        // Counted per flush, not cached: other writers (key ranges, later attempts) share the cap.
        let room = pending.some((p) => p.capped) ? RUN_LOG_CAP - (await entriesOf(ctx.db, runId)) : 0;
        const kept = pending.filter((p) => !p.capped || room-- > 0).map((p) => p.entry);
        await writeEntries(ctx.db, runId, kept);
      } catch (e) {
        ctx.log.warn({ err: e, runId }, "could not write the run's log");
      }
    },
  };
}

/** Writes entries at once (a stop, a cancel) in the caller's transaction or connection. */
export async function writeEntries(db: Db, runId: string, entries: RunLogEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db
    .insert(materializationRunLog)
    .values(
      entries.map((e) => ({ runId, level: e.level, step: e.step, message: e.message, data: e.data ?? {} })),
    );
}

async function entriesOf(db: Db, runId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(materializationRunLog)
    .where(eq(materializationRunLog.runId, runId));
  return row?.n ?? 0;
}

/** A window as the log shows it: UTC, to the second. */
export function windowText(start: Date, end: Date): string {
  const t = (d: Date) => `${d.toISOString().slice(0, 19).replace("T", " ")} UTC`;
  return `${t(start)} → ${t(end)}`;
}
