import "server-only";
import { and, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "../../audit/record";
import { authorize } from "../../auth/authorize";
import { actorLabel, type Ctx, inTransaction } from "../../core/context";
import { ConflictError, NotFoundError } from "../../core/errors";
import { Name } from "../../core/name";
import { ACTIVE_RUN_STATUSES } from "../../core/vocabulary";
import { featureViews, featureViewVersions, materializationRuns } from "../../db/schema";
import { startMaterialization } from "../../materialization/start-materialization";
import { defineOperation } from "../../operations/define";
import * as out from "../outputs";
import { FeatureViewSpec } from "../schemas";
import { rematerializationOf } from "./breaking";
import { diffSpecs } from "./diff";
import { checkSpecAgainstSource, headColumns, resolveReferences, writeDerivedRows } from "./refs";
import { readSpec, storedSpec } from "./spec-store";

export const UpdateFeatureViewInput = z.object({
  project: Name,
  /** The version this edit was made against; a stale one is refused as a conflict. */
  baseVersion: z.number().int().positive(),
  spec: FeatureViewSpec,
  /**
   * After saving, queue a full re-materialization (the servable window: now - ttl, or 1970 with no
   * ttl, up to now) and answer its run id: the form's "Save and re-materialize". Needs jobs.run too.
   */
  rematerialize: z.boolean().default(false),
});

const EPOCH = new Date(0);

/**
 * Saves a changed spec as the next version. The compare-and-set on current_version makes two
 * concurrent edits of the same base version end with one success and one ConflictError.
 * An unchanged spec creates no version. A change that alters what stored values mean (a dtype,
 * the entities, the source: breaking.ts) drops the view's online values and resets its watermark
 * in the same transaction, so no value of the old type is ever served as the new one; it is
 * refused while a run of the view is active (that run would write old values back).
 */
export const updateFeatureViewOp = defineOperation({
  name: "featureViews.update",
  summary:
    "Write a new version of a feature view, based on the version the caller last read; optionally re-materialize it after.",
  kind: "mutation",
  access: "definitions.write",
  input: UpdateFeatureViewInput,
  output: out.WrittenView,
  run: async ({ ctx, input: { project, baseVersion, spec, rematerialize }, project: p }) => {
    // Checked before anything is written: a caller who may not run jobs gets 403 and no version.
    if (rematerialize) await authorize(ctx, project, "jobs.run");
    const checked = await resolveReferences(ctx, p.id, spec);
    await checkSpecAgainstSource(ctx, p.name, checked.source, spec, checked.entities);
    const written = await inTransaction(ctx, async (tx) => {
      const [view] = await tx.db
        .select({ id: featureViews.id, currentVersion: featureViews.currentVersion })
        .from(featureViews)
        .where(and(eq(featureViews.projectId, p.id), eq(featureViews.name, spec.name)))
        .limit(1)
        .for("update");
      if (!view)
        throw new NotFoundError(`feature view "${spec.name}" not found in project "${project}"`, "name");
      if (baseVersion !== view.currentVersion) throw staleEdit(spec.name, baseVersion, view.currentVersion);

      const [row] = await tx.db
        .select({ spec: featureViewVersions.spec })
        .from(featureViewVersions)
        .where(
          and(eq(featureViewVersions.featureViewId, view.id), eq(featureViewVersions.version, baseVersion)),
        );
      const current = row && { spec: readSpec(row.spec, { view: spec.name, version: baseVersion }) };
      if (current && diffSpecs(current.spec, spec).length === 0)
        return {
          id: view.id,
          name: spec.name,
          version: baseVersion,
          changed: false,
          onlineValuesCleared: false,
        };

      const clears = current ? rematerializationOf(current.spec, spec).clearsOnlineValues : false;
      if (clears) await refuseWhileRunning(tx, view.id, spec.name);
      const refs = await resolveReferences(tx, p.id, spec);
      const next = baseVersion + 1;
      const bumped = await tx.db
        .update(featureViews)
        .set({
          currentVersion: next,
          updatedAt: new Date(),
          ...headColumns(spec, refs.source.id),
          ...(clears ? { materializedUntil: null } : {}),
        })
        .where(and(eq(featureViews.id, view.id), eq(featureViews.currentVersion, baseVersion)))
        .returning({ id: featureViews.id });
      if (bumped.length === 0) throw staleEdit(spec.name, baseVersion, undefined);

      await tx.db.insert(featureViewVersions).values({
        featureViewId: view.id,
        version: next,
        spec: storedSpec(spec),
        createdBy: actorLabel(tx.actor),
      });
      await writeDerivedRows(tx, { id: view.id, projectId: p.id }, spec, refs.entities);
      await recordAudit(tx, {
        project: p,
        action: "feature_view.update",
        objectType: "feature_view",
        objectName: spec.name,
        before: { version: baseVersion, spec: current?.spec },
        after: { version: next, spec, onlineValuesCleared: clears },
      });
      // Last, inside the transaction: if the store fails, no version is written (503); if the
      // commit fails after, the old version stays with no values (NOT_FOUND), never mixed types.
      if (clears) await tx.online.deleteView(p.name, spec.name);
      return { id: view.id, name: spec.name, version: next, changed: true, onlineValuesCleared: clears };
    });
    if (!rematerialize) return { ...written, runId: null };
    const now = new Date();
    const startTs = spec.ttlSeconds > 0 ? new Date(now.getTime() - spec.ttlSeconds * 1000) : EPOCH;
    const [run] = await startMaterialization({
      ctx,
      input: { project, featureViews: [spec.name], startTs, endTs: now },
    });
    return { ...written, runId: run?.id ?? null };
  },
});
export const updateFeatureView = updateFeatureViewOp.call;

/** A run still queued or running would write values of the old version after they were dropped. */
async function refuseWhileRunning(ctx: Ctx, viewId: string, name: string): Promise<void> {
  const active = await ctx.db
    .select({ id: materializationRuns.id })
    .from(materializationRuns)
    .where(
      and(
        eq(materializationRuns.featureViewId, viewId),
        inArray(materializationRuns.status, [...ACTIVE_RUN_STATUSES]),
      ),
    );
  if (active.length > 0)
    throw new ConflictError(
      `feature view "${name}" is being materialized (run ${active.map((r) => r.id).join(", ")}); this change drops its online values, so cancel the run or wait for it first`,
      "spec",
    );
}

function staleEdit(name: string, base: number, current: number | undefined): ConflictError {
  const now = current === undefined ? "a newer version" : `version ${current}`;
  return new ConflictError(
    `feature view "${name}" is at ${now}; your edit was based on version ${base}. Reload and apply your change again.`,
    "baseVersion",
  );
}
