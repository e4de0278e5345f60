import "server-only";
import { setTimeout as sleep } from "node:timers/promises";
import type { Ctx } from "../core/context";
import { NotFoundError } from "../core/errors";
import { isTerminal, loadRuns, type Run } from "./run-row";

export interface WaitOptions {
  /** Poll period; default 250 ms. */
  intervalMs?: number;
  /** Give up (throw) after this long; default: wait forever. */
  timeoutMs?: number;
  /**
   * Keep waiting on a run the queue will still retry (`retrying`). Default false: a failed attempt
   * ends the wait, which suits callers that run jobs themselves.
   */
  throughRetries?: boolean;
}

/**
 * Polls the run rows until every run is terminal (succeeded, failed or cancelled; or retrying,
 * without throughRetries), calling
 * onProgress with each poll's rows (for the CLI's progress line). Returns the rows in the order
 * of runIds.
 */
export async function waitForRuns(
  ctx: Ctx,
  runIds: readonly string[],
  onProgress?: (runs: Run[]) => void,
  opts: WaitOptions = {},
): Promise<Run[]> {
  const interval = opts.intervalMs ?? 250;
  const deadline = opts.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + opts.timeoutMs;
  for (;;) {
    const rows = await loadRuns(ctx.db, runIds);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const runs = runIds.map((id) => {
      const run = byId.get(id);
      if (!run) throw new NotFoundError(`materialization run ${id} not found`, "runId");
      return run;
    });
    onProgress?.(runs);
    const settled = runs.every(
      (r) => isTerminal(r.status) || (!opts.throughRetries && r.status === "retrying"),
    );
    if (settled) return runs;
    if (Date.now() + interval > deadline)
      throw new Error(`materialization runs still in progress after ${opts.timeoutMs} ms`);
    await sleep(interval);
  }
}
