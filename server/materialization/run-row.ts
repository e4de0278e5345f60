import { eq, getTableColumns, inArray } from "drizzle-orm";
import type { Db } from "../db/client";
import { featureViews, materializationRuns, projects, type RunStatus } from "../db/schema";

export type RunRow = typeof materializationRuns.$inferSelect;

/** A run as services return it: the row with its view's and project's names. */
export type Run = RunRow & { featureView: string; project: string };

/** States a run leaves only by being started again (a failed run may be retried by the queue). */
export const TERMINAL_STATUSES: readonly RunStatus[] = ["succeeded", "failed", "cancelled"];

export function isTerminal(status: RunStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** The select every run read shares: run columns plus view and project names. */
export function selectRuns(db: Db) {
  return db
    .select({
      ...getTableColumns(materializationRuns),
      featureView: featureViews.name,
      project: projects.name,
    })
    .from(materializationRuns)
    .innerJoin(featureViews, eq(featureViews.id, materializationRuns.featureViewId))
    .innerJoin(projects, eq(projects.id, materializationRuns.projectId));
}

export async function loadRuns(db: Db, ids: readonly string[]): Promise<Run[]> {
  if (ids.length === 0) return [];
  return selectRuns(db).where(inArray(materializationRuns.id, [...ids]));
}
