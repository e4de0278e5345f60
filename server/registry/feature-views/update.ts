import "server-only";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "../../audit/record";
import { actorLabel, inTransaction } from "../../core/context";
import { ConflictError, NotFoundError } from "../../core/errors";
import { Name } from "../../core/name";
import { featureViews, featureViewVersions } from "../../db/schema";
import { defineOperation } from "../../operations/define";
import * as out from "../outputs";
import { FeatureViewSpec } from "../schemas";
import { diffSpecs } from "./diff";
import { checkSpecAgainstSource, headColumns, resolveReferences, writeDerivedRows } from "./refs";
import { readSpec, storedSpec } from "./spec-store";

export const UpdateFeatureViewInput = z.object({
  project: Name,
  /** The version this edit was made against; a stale one is refused as a conflict. */
  baseVersion: z.number().int().positive(),
  spec: FeatureViewSpec,
});

/**
 * Saves a changed spec as the next version. The compare-and-set on current_version makes two
 * concurrent edits of the same base version end with one success and one ConflictError.
 * An unchanged spec creates no version.
 */
export const updateFeatureViewOp = defineOperation({
  name: "featureViews.update",
  summary: "Write a new version of a feature view, based on the version the caller last read.",
  kind: "mutation",
  access: "definitions.write",
  input: UpdateFeatureViewInput,
  output: out.WrittenView,
  run: async ({ ctx, input: { project, baseVersion, spec }, project: p }) => {
    const checked = await resolveReferences(ctx, p.id, spec);
    await checkSpecAgainstSource(ctx, p.name, checked.source, spec, checked.entities);
    return inTransaction(ctx, async (tx) => {
      const [view] = await tx.db
        .select({ id: featureViews.id, currentVersion: featureViews.currentVersion })
        .from(featureViews)
        .where(and(eq(featureViews.projectId, p.id), eq(featureViews.name, spec.name)))
        .limit(1);
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
        return { id: view.id, name: spec.name, version: baseVersion, changed: false };

      const refs = await resolveReferences(tx, p.id, spec);
      const next = baseVersion + 1;
      const bumped = await tx.db
        .update(featureViews)
        .set({ currentVersion: next, updatedAt: new Date(), ...headColumns(spec, refs.source.id) })
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
        after: { version: next, spec },
      });
      return { id: view.id, name: spec.name, version: next, changed: true };
    });
  },
});
export const updateFeatureView = updateFeatureViewOp.call;

function staleEdit(name: string, base: number, current: number | undefined): ConflictError {
  const now = current === undefined ? "a newer version" : `version ${current}`;
  return new ConflictError(
    `feature view "${name}" is at ${now}; your edit was based on version ${base}. Reload and apply your change again.`,
    "baseVersion",
  );
}
