import "server-only";
import { eq, getTableColumns, inArray, sql } from "drizzle-orm";
import { isTerminalRunStatus, type RunStatus } from "../core/vocabulary";
import type { Db } from "../db/client";
import { featureViews, materializationRuns, projects } from "../db/schema";

export type RunRow = typeof materializationRuns.$inferSelect;

/**
 * A run as services return it: the row with its view's and project's names, and the id of the run
 * that retries it (retry-run.ts), if any.
 */
export type Run = RunRow & { featureView: string; project: string; retriedBy: string | null };

/**
 * A run's life (docs/adr/0016-run-heartbeats-and-retries.md):
 *
 *   queued → running → succeeded
 *              │  ↑
 *              ↓  │ (the queue's next attempt)
 *            retrying          running/queued/retrying → cancelled
 *              │
 *              ↓ (no attempt left)
 *            failed
 *
 * `retrying`: an attempt failed (its worker threw, or stopped heartbeating) and the queue will start
 * the next one; the error says why the last attempt failed. A run leaves a final status only through
 * a new run (retryRun).
 */
export function isTerminal(status: RunStatus): boolean {
  return isTerminalRunStatus(status);
}

/** The select every run read shares: run columns plus view and project names, and the run's retry. */
export function selectRuns(db: Db) {
  return db
    .select({
      ...getTableColumns(materializationRuns),
      featureView: featureViews.name,
      project: projects.name,
      // Served by materialization_runs_retry_of_idx.
      retriedBy: sql<
        string | null
      >`(select r.id from ${materializationRuns} as r where r.retry_of = ${materializationRuns.id} order by r.created_at desc limit 1)`,
    })
    .from(materializationRuns)
    .innerJoin(featureViews, eq(featureViews.id, materializationRuns.featureViewId))
    .innerJoin(projects, eq(projects.id, materializationRuns.projectId));
}

export async function loadRuns(db: Db, ids: readonly string[]): Promise<Run[]> {
  if (ids.length === 0) return [];
  return selectRuns(db).where(inArray(materializationRuns.id, [...ids]));
}
