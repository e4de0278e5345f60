import type { Ctx } from "../../../server/core/context";
import { type Run, waitForRuns } from "../../../server/materialization";
import { log } from "../log";

/**
 * Prints a line whenever a run's status or row count changes, until all runs are done (through
 * the queue's retries: a failed attempt prints its error, then the wait goes on); returns the exit
 * code: 0 when every run succeeded, 1 otherwise.
 */
export async function followRuns(ctx: Ctx, queued: Run[]): Promise<number> {
  if (queued.length === 0) {
    log("no feature views to materialize");
    return 0;
  }
  for (const r of queued)
    log(`${r.featureView}: queued ${r.startTs.toISOString()} .. ${r.endTs.toISOString()}`);
  const last = new Map<string, string>();
  const runs = await waitForRuns(
    ctx,
    queued.map((r) => r.id),
    (polled) => {
      for (const r of polled) {
        const line = progressLine(r);
        if (last.get(r.id) === line) continue;
        last.set(r.id, line);
        log(line);
      }
    },
    { throughRetries: true },
  );
  const failed = runs.filter((r) => r.status !== "succeeded");
  const rows = runs.reduce((n, r) => n + r.rowsWritten, 0);
  if (failed.length === 0) {
    log(`done: ${runs.length} run(s) succeeded, ${rows} rows written`);
    return 0;
  }
  for (const r of failed) console.error(`${r.featureView}: ${r.status}${r.error ? `: ${r.error}` : ""}`);
  console.error(`${failed.length} of ${runs.length} run(s) did not succeed`);
  const retryable = runs.filter((r) => r.status === "failed");
  if (retryable.length > 0)
    console.error(
      `retry with: ${retryable.map((r) => `quiver retry ${r.id} --project ${r.project}`).join("; ")}`,
    );
  return 1;
}

export function progressLine(r: Run): string {
  const line = `${r.featureView}: ${r.rowsWritten} rows written (${r.status})`;
  // A run waiting for its next attempt says why the last one failed.
  return r.status === "retrying" && r.error ? `${line}: attempt ${r.attempts} failed: ${r.error}` : line;
}
