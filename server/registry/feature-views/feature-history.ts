import "server-only";
import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import { NotFoundError } from "../../core/errors";
import { Name } from "../../core/name";
import { featureViewVersions } from "../../db/schema";
import { defineOperation } from "../../operations/define";
import { FieldSpec } from "../schemas";
import { diffSpecs, type SpecChange } from "./diff";
import { getFeatureView } from "./get";
import { readSpec } from "./spec-store";

/**
 * The versions of a feature's view in which that feature changed: where it was added, where its
 * type, description or tags changed, where it was removed (and added again). Its view's other
 * changes are left out: the view page has its whole history.
 */

export const FeatureHistoryInput = z.object({ project: Name, featureView: Name, feature: Name });

export const FeatureHistoryEntry = z.object({
  version: z.number(),
  createdAt: z.date(),
  createdBy: z.string(),
  kind: z.enum(["added", "changed", "removed"]),
  /** What changed in the field, as the view's diff names it ("dtype", "description", "tags.team"). */
  changes: z.array(
    z.object({
      path: z.string(),
      kind: z.enum(["added", "removed", "changed"]),
      before: z.unknown().optional(),
      after: z.unknown().optional(),
    }),
  ),
  /** The field as this version defines it; null where the version removed it. */
  field: FieldSpec.nullable(),
});
export type FeatureHistoryEntry = z.infer<typeof FeatureHistoryEntry>;

/** The entries of one feature in a view's specs, oldest first (pure; versions in order). */
export function featureHistory(
  versions: readonly {
    version: number;
    createdAt: Date;
    createdBy: string;
    spec: { fields: readonly z.infer<typeof FieldSpec>[] } & Parameters<typeof diffSpecs>[0];
  }[],
  feature: string,
): FeatureHistoryEntry[] {
  const out: FeatureHistoryEntry[] = [];
  let previous: (typeof versions)[number] | undefined;
  for (const v of versions) {
    const field = v.spec.fields.find((f) => f.name === feature) ?? null;
    const had = previous?.spec.fields.some((f) => f.name === feature) ?? false;
    const meta = { version: v.version, createdAt: v.createdAt, createdBy: v.createdBy, field };
    if (field && !had) out.push({ ...meta, kind: "added", changes: [] });
    else if (!field && had) out.push({ ...meta, kind: "removed", changes: [] });
    else if (field && previous) {
      const prefix = `fields.${feature}.`;
      const changes: SpecChange[] = diffSpecs(previous.spec, v.spec)
        .filter((c) => c.path.startsWith(prefix))
        .map((c) => ({ ...c, path: c.path.slice(prefix.length) }));
      if (changes.length > 0) out.push({ ...meta, kind: "changed", changes });
    }
    previous = v;
  }
  return out;
}

export const featureHistoryOp = defineOperation({
  name: "features.history",
  summary:
    "The versions of a feature's view in which that feature was added, changed or removed, newest first.",
  kind: "query",
  access: "definitions.read",
  input: FeatureHistoryInput,
  output: z.array(FeatureHistoryEntry),
  run: async ({ ctx, input: { project, featureView, feature } }) => {
    const view = await getFeatureView({ ctx, input: { project, name: featureView } });
    const rows = await ctx.db
      .select()
      .from(featureViewVersions)
      .where(eq(featureViewVersions.featureViewId, view.id))
      .orderBy(asc(featureViewVersions.version));
    const versions = rows.map((r) => ({
      version: r.version,
      createdAt: r.createdAt,
      createdBy: r.createdBy,
      spec: readSpec(r.spec, { view: view.name, version: r.version }),
    }));
    const entries = featureHistory(versions, feature);
    if (entries.length === 0)
      throw new NotFoundError(
        `feature "${feature}" not found in feature view "${featureView}" in project "${project}"`,
        "feature",
      );
    return entries.reverse();
  },
});
export const getFeatureHistory = featureHistoryOp.call;
