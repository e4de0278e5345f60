import "server-only";
import { and, asc, eq, inArray, isNotNull } from "drizzle-orm";
import { z } from "zod";
import type { Ctx } from "../../core/context";
import { ConflictError } from "../../core/errors";
import { ACTIVE_RUN_STATUSES } from "../../core/vocabulary";
import {
  consumerFeatureServices,
  consumers,
  datasetFeatureViews,
  datasets,
  featureServiceProjections,
  featureServices,
  featureViewEntities,
  featureViews,
  materializationRuns,
  onDemandViews,
  onDemandViewVersions,
  transformations,
} from "../../db/schema";
import { type DeletableKind, labelOf, REGISTRY_KINDS, type RegistryKind } from "./kinds";

/** What depends on an object: its kind and name ("materialization_run": the run's id). */
export const Dependant = z.object({
  kind: z.enum([
    "feature_view",
    "feature_service",
    "consumer",
    "dataset",
    "materialization_run",
    "entity",
    "data_source",
    "transformation",
    "on_demand_view",
  ]),
  name: z.string(),
  /** How it depends: "keyed by", "reads", "projects", "built from", "running", "replaced by". */
  relation: z.string(),
});
export type Dependant = z.infer<typeof Dependant>;

/**
 * Everything that would break if the object went, by kind and name, sorted: views keyed by an
 * entity or reading a source, services projecting a view and saved datasets built from it, runs of
 * it still queued or running, consumers reading a service, and deprecated objects of the same kind
 * that name it as their replacement.
 */
export async function dependantsOf(
  ctx: Ctx,
  projectId: string,
  kind: DeletableKind,
  object: { id: string; name: string },
): Promise<Dependant[]> {
  const found: Dependant[] = [];
  const add = (k: Dependant["kind"], relation: string, rows: { name: string }[]) =>
    found.push(...rows.map((r) => ({ kind: k, name: r.name, relation })));
  if (kind === "entity")
    add(
      "feature_view",
      "keyed by",
      await ctx.db
        .select({ name: featureViews.name })
        .from(featureViewEntities)
        .innerJoin(featureViews, eq(featureViews.id, featureViewEntities.featureViewId))
        .where(eq(featureViewEntities.entityId, object.id))
        .orderBy(asc(featureViews.name)),
    );
  if (kind === "data_source")
    add(
      "feature_view",
      "reads",
      await ctx.db
        .select({ name: featureViews.name })
        .from(featureViews)
        .where(eq(featureViews.sourceId, object.id))
        .orderBy(asc(featureViews.name)),
    );
  // A transformation's output source goes only with the transformation (docs/adr/0035).
  if (kind === "data_source")
    add(
      "transformation",
      "writes",
      await ctx.db
        .select({ name: transformations.name })
        .from(transformations)
        .where(eq(transformations.outputSourceId, object.id)),
    );
  if (kind === "feature_view") {
    // On-demand views whose current version reads this view (docs/adr/0036-on-demand-features.md).
    const odvs = await ctx.db
      .select({ name: onDemandViews.name, spec: onDemandViewVersions.spec })
      .from(onDemandViews)
      .innerJoin(
        onDemandViewVersions,
        and(
          eq(onDemandViewVersions.onDemandViewId, onDemandViews.id),
          eq(onDemandViewVersions.version, onDemandViews.currentVersion),
        ),
      )
      .where(eq(onDemandViews.projectId, projectId))
      .orderBy(asc(onDemandViews.name));
    add(
      "on_demand_view",
      "reads",
      odvs.filter((o) => {
        const inputs = (o.spec as { inputs?: unknown }).inputs;
        return (
          Array.isArray(inputs) &&
          inputs.some((r) => typeof r === "string" && r.startsWith(`${object.name}:`))
        );
      }),
    );
    add(
      "feature_service",
      "projects",
      await ctx.db
        .select({ name: featureServices.name })
        .from(featureServiceProjections)
        .innerJoin(featureServices, eq(featureServices.id, featureServiceProjections.featureServiceId))
        .where(eq(featureServiceProjections.featureViewId, object.id))
        .orderBy(asc(featureServices.name)),
    );
    add(
      "dataset",
      "built from",
      await ctx.db
        .select({ name: datasets.name })
        .from(datasetFeatureViews)
        .innerJoin(datasets, eq(datasets.id, datasetFeatureViews.datasetId))
        .where(eq(datasetFeatureViews.featureViewId, object.id))
        .orderBy(asc(datasets.name)),
    );
    add(
      "materialization_run",
      "running",
      await ctx.db
        .select({ name: materializationRuns.id })
        .from(materializationRuns)
        .where(
          and(
            eq(materializationRuns.featureViewId, object.id),
            inArray(materializationRuns.status, [...ACTIVE_RUN_STATUSES]),
          ),
        )
        .orderBy(asc(materializationRuns.createdAt)),
    );
  }
  if (kind === "feature_service")
    add(
      "consumer",
      "reads",
      await ctx.db
        .select({ name: consumers.name })
        .from(consumerFeatureServices)
        .innerJoin(consumers, eq(consumers.id, consumerFeatureServices.consumerId))
        .where(eq(consumerFeatureServices.featureServiceId, object.id))
        .orderBy(asc(consumers.name)),
    );
  const { table } = REGISTRY_KINDS[kind];
  add(
    kind,
    "replaced by",
    await ctx.db
      .select({ name: table.name })
      .from(table)
      .where(
        and(eq(table.projectId, projectId), isNotNull(table.deprecatedAt), eq(table.replacedBy, object.name)),
      )
      .orderBy(asc(table.name)),
  );
  return found;
}

const KIND_WORDS: Record<Dependant["kind"], string> = {
  feature_view: "feature view",
  feature_service: "feature service",
  consumer: "consumer",
  dataset: "saved dataset",
  materialization_run: "active materialization run",
  entity: "entity",
  data_source: "data source",
  transformation: "transformation",
  on_demand_view: "on-demand view",
};

/** The 409 refusing to delete an object others depend on, naming each dependant by kind and name. */
export function dependedOnError(kind: RegistryKind, name: string, dependants: Dependant[]): ConflictError {
  const named = dependants.map((d) =>
    d.relation === "replaced by"
      ? `deprecated ${KIND_WORDS[d.kind]} "${d.name}" (names it as its replacement)`
      : `${KIND_WORDS[d.kind]} "${d.name}"`,
  );
  return new ConflictError(
    `${labelOf(kind)} "${name}" cannot be deleted: ${named.join(", ")} depend${named.length === 1 ? "s" : ""} on it; delete or change ${named.length === 1 ? "it" : "them"} first`,
    "name",
  );
}
