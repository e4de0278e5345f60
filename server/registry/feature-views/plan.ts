import "server-only";
import { and, asc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { ConflictError, NotFoundError } from "../../core/errors";
import { Name } from "../../core/name";
import {
  consumerFeatureServices,
  consumers,
  featureServiceProjections,
  featureServices,
  featureViews,
  featureViewVersions,
} from "../../db/schema";
import { defineOperation } from "../../operations/define";
import { FeatureViewSpec } from "../schemas";
import { BREAKING_KINDS, breakingChanges, rematerializationOf } from "./breaking";
import { diffSpecs } from "./diff";
import { checkSpecAgainstSource, resolveReferences } from "./refs";
import { readSpec } from "./spec-store";

export const PlanFeatureViewInput = z.object({
  project: Name,
  /** The version the edit is made against, as for featureViews.update. */
  baseVersion: z.number().int().positive(),
  spec: FeatureViewSpec,
});

export const FeatureViewPlan = z.object({
  name: z.string(),
  baseVersion: z.number(),
  /** The version saving would write; null when the spec equals the current one (nothing to save). */
  nextVersion: z.number().nullable(),
  /** Structural diff from the base version (diffSpecs, as featureViews.diff). */
  changes: z.array(
    z.object({
      path: z.string(),
      kind: z.enum(["added", "removed", "changed"]),
      before: z.unknown().optional(),
      after: z.unknown().optional(),
    }),
  ),
  breaking: z.array(
    z.object({ kind: z.enum(BREAKING_KINDS), feature: z.string().optional(), message: z.string() }),
  ),
  /** Feature services projecting the view: which of its features each reads, and whether the change breaks it. */
  affectedServices: z.array(
    z.object({
      name: z.string(),
      features: z.array(z.string()),
      broken: z.boolean(),
      consumers: z.array(z.string()),
    }),
  ),
  /** Consumers reading those services, by name. */
  affectedConsumers: z.array(z.string()),
  rematerialization: z.object({
    needed: z.boolean(),
    clearsOnlineValues: z.boolean(),
    reasons: z.array(z.string()),
  }),
  /** How each field's declared type meets its source column. */
  typeChecks: z.array(
    z.object({
      field: z.string(),
      column: z.string(),
      dtype: z.string(),
      columnType: z.string(),
      match: z.enum(["exact", "safe_cast"]),
      cast: z.string().optional(),
    }),
  ),
});

/**
 * What featureViews.update would do with this spec, writing nothing: the same checks (a spec it
 * would refuse is refused here with the same 400, a stale base with the same 409), the diff, the
 * breaking changes, the services and consumers they reach, and whether saving drops the online
 * values and a re-materialization is needed (docs/adr/0025).
 */
export const planFeatureViewOp = defineOperation({
  name: "featureViews.plan",
  summary:
    "Preview an update of a feature view: diff, breaking changes, affected services and consumers, re-materialization, type checks. Writes nothing.",
  // A mutation for its access (definitions.write) and its POST; it writes nothing.
  kind: "mutation",
  writesRegistry: false,
  access: "definitions.write",
  input: PlanFeatureViewInput,
  output: FeatureViewPlan,
  run: async ({ ctx, input: { project, baseVersion, spec }, project: p }) => {
    const [view] = await ctx.db
      .select({ id: featureViews.id, currentVersion: featureViews.currentVersion })
      .from(featureViews)
      .where(and(eq(featureViews.projectId, p.id), eq(featureViews.name, spec.name)))
      .limit(1);
    if (!view)
      throw new NotFoundError(`feature view "${spec.name}" not found in project "${project}"`, "name");
    if (view.currentVersion !== baseVersion)
      throw new ConflictError(
        `feature view "${spec.name}" is at version ${view.currentVersion}; your edit was based on version ${baseVersion}. Reload and apply your change again.`,
        "baseVersion",
      );
    const [row] = await ctx.db
      .select({ spec: featureViewVersions.spec })
      .from(featureViewVersions)
      .where(
        and(eq(featureViewVersions.featureViewId, view.id), eq(featureViewVersions.version, baseVersion)),
      );
    if (!row)
      throw new NotFoundError(`feature view "${spec.name}" has no version ${baseVersion}`, "baseVersion");
    const current = readSpec(row.spec, { view: spec.name, version: baseVersion });

    const refs = await resolveReferences(ctx, p.id, spec);
    const typeChecks = await checkSpecAgainstSource(ctx, p.name, refs.source, spec, refs.entities);
    const changes = diffSpecs(current, spec);
    const breaking = breakingChanges(current, spec);
    const remat = rematerializationOf(current, spec);

    const gone = new Set(breaking.filter((b) => b.feature).map((b) => b.feature));
    const keysChanged = breaking.some((b) => b.kind === "entities_changed" || b.kind === "online_disabled");
    const projections = await ctx.db
      .select({
        id: featureServices.id,
        name: featureServices.name,
        features: featureServiceProjections.featureNames,
      })
      .from(featureServiceProjections)
      .innerJoin(featureServices, eq(featureServices.id, featureServiceProjections.featureServiceId))
      .where(eq(featureServiceProjections.featureViewId, view.id))
      .orderBy(asc(featureServices.name));
    const readers = projections.length
      ? await ctx.db
          .select({ serviceId: consumerFeatureServices.featureServiceId, name: consumers.name })
          .from(consumerFeatureServices)
          .innerJoin(consumers, eq(consumers.id, consumerFeatureServices.consumerId))
          .where(
            inArray(
              consumerFeatureServices.featureServiceId,
              projections.map((s) => s.id),
            ),
          )
          .orderBy(asc(consumers.name))
      : [];
    const affectedServices = projections.map((s) => {
      const features = s.features.includes("*") ? current.fields.map((f) => f.name) : s.features;
      return {
        name: s.name,
        features,
        broken: keysChanged || features.some((f) => gone.has(f)),
        consumers: readers.filter((r) => r.serviceId === s.id).map((r) => r.name),
      };
    });
    return {
      name: spec.name,
      baseVersion,
      nextVersion: changes.length > 0 ? baseVersion + 1 : null,
      changes,
      breaking,
      affectedServices,
      affectedConsumers: [...new Set(readers.map((r) => r.name))].sort(),
      rematerialization: remat,
      typeChecks,
    };
  },
});
export const planFeatureView = planFeatureViewOp.call;
