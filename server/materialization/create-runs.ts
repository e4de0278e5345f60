import "server-only";
import { randomUUID } from "node:crypto";
import { recordAudit } from "../audit/record";
import { actorLabel, type Ctx, inTransaction } from "../core/context";
import { InvalidError, NotFoundError } from "../core/errors";
import { materializationRuns, type RunKind } from "../db/schema";
import { type FeatureViewRow, listFeatureViews } from "../registry/feature-views/get";
import type { Run } from "./run-row";

/**
 * The views a start request names, or every online view of the project when it names none.
 * An unknown name is a NotFoundError naming it; an offline-only view named explicitly is refused.
 * The caller is a jobs.run operation: its gate has authorized the actor in the project.
 */
export async function resolveViews(ctx: Ctx, project: string, names?: string[]): Promise<FeatureViewRow[]> {
  const all = await listFeatureViews({ ctx, input: { project } });
  if (!names) return all.filter((v) => v.online);
  const byName = new Map(all.map((v) => [v.name, v]));
  return [...new Set(names)].map((name) => {
    const view = byName.get(name);
    const field = `featureViews.${names.indexOf(name)}`;
    if (!view)
      throw new NotFoundError(`${field}: feature view "${name}" not found in project "${project}"`, field);
    if (!view.online)
      throw new InvalidError(`${field}: feature view "${name}" is not online (online = false)`, field);
    return view;
  });
}

export interface PlannedRun {
  view: FeatureViewRow;
  startTs: Date;
  endTs: Date;
  /** The run this one retries (retry-run.ts); audited as materialization.retry. */
  retryOf?: string;
}

/**
 * Inserts one queued run per planned view, then enqueues each under its run id. The rows are
 * written before any job is sent, so a worker never picks up a job whose run it cannot load
 * (a caller's open transaction aside: the job then fails until the row is visible, and retries).
 */
export async function createRuns(
  ctx: Ctx,
  project: string,
  kind: RunKind,
  planned: PlannedRun[],
): Promise<Run[]> {
  if (planned.length === 0) return [];
  const runs = await inTransaction(ctx, (tx) => insertRuns(tx, project, kind, planned));
  for (const run of runs) await ctx.jobs.enqueueMaterialization(run.id);
  return runs;
}

/**
 * Inserts the queued runs and their audit entries with `tx` (a transaction's context) and
 * enqueues nothing: the caller sends the jobs once the transaction has committed.
 */
export async function insertRuns(
  tx: Ctx,
  project: string,
  kind: RunKind,
  planned: PlannedRun[],
): Promise<Run[]> {
  const triggeredBy = actorLabel(tx.actor);
  const inserted = await tx.db
    .insert(materializationRuns)
    .values(
      planned.map((p) => ({
        id: randomUUID(),
        projectId: p.view.projectId,
        featureViewId: p.view.id,
        featureViewVersion: p.view.currentVersion,
        kind,
        status: "queued" as const,
        startTs: p.startTs,
        endTs: p.endTs,
        triggeredBy,
        retryOf: p.retryOf ?? null,
      })),
    )
    .returning();
  for (const run of inserted) {
    const view = planned.find((p) => p.view.id === run.featureViewId)?.view;
    await recordAudit(tx, {
      project: { id: run.projectId, name: project },
      action: run.retryOf ? "materialization.retry" : "materialization.start",
      objectType: "feature_view",
      objectName: view?.name ?? run.featureViewId,
      ...(run.retryOf ? { before: { runId: run.retryOf } } : {}),
      after: { runId: run.id, kind, startTs: run.startTs, endTs: run.endTs },
    });
  }
  const nameOf = new Map(planned.map((p) => [p.view.id, p.view.name]));
  return inserted.map((r) => ({
    ...r,
    featureView: nameOf.get(r.featureViewId) ?? "",
    project,
    retriedBy: null,
  }));
}
