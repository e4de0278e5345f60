import "server-only";
import { MAX_ATTEMPTS, RETRY_DELAY_SECONDS } from "./policy";
import type { RunLogEntry } from "./run-log";
import { windowText } from "./run-log";
import type { Run } from "./run-row";

/** The milestones a run's attempt writes to its log (run-log.ts); messages are safe to show. */

export function claimedEntry(run: Run): RunLogEntry {
  return {
    level: "info",
    step: "claim",
    message: `attempt ${run.attempts} of ${MAX_ATTEMPTS}: ${run.kind} run over ${windowText(run.startTs, run.endTs)}`,
    data: {
      attempt: run.attempts,
      kind: run.kind,
      startTs: run.startTs.toISOString(),
      endTs: run.endTs.toISOString(),
      featureViewVersion: run.featureViewVersion,
    },
  };
}

export function succeededEntry(
  run: Run,
  totals: { rowsRead: number; rowsWritten: number; batches?: number },
  startedMs: number,
): RunLogEntry {
  const seconds = Math.round((Date.now() - startedMs) / 100) / 10;
  const batches = totals.batches === undefined ? "" : ` in ${totals.batches} batches`;
  return {
    level: "info",
    step: "success",
    message: `succeeded: read ${totals.rowsRead} rows, wrote ${totals.rowsWritten}${batches} (${seconds} s); watermark at least ${run.endTs.toISOString()}`,
    data: { attempt: run.attempts, ...totals, seconds },
  };
}

/** The attempt's safe error, then whether the queue will try again. */
export function failedEntries(run: Run, message: string, last: boolean): RunLogEntry[] {
  return [
    {
      level: "error",
      step: "error",
      message: `attempt ${run.attempts} failed: ${message}`,
      data: { attempt: run.attempts },
    },
    last
      ? {
          level: "error",
          step: "failed",
          message: `no attempt left (${run.attempts} of ${MAX_ATTEMPTS}): the run failed`,
          data: { attempt: run.attempts },
        }
      : {
          level: "warn",
          step: "retry",
          message: `will retry: attempt ${run.attempts + 1} of ${MAX_ATTEMPTS} after at least ${RETRY_DELAY_SECONDS} s`,
          data: { attempt: run.attempts, next: run.attempts + 1 },
        },
  ];
}

export function stoppedEntry(run: Run, status: string): RunLogEntry {
  return {
    level: "warn",
    step: "stopped",
    message: `attempt ${run.attempts} stopped at a batch boundary: the run is ${status}`,
    data: { attempt: run.attempts, status },
  };
}
