import "server-only";
import { and, asc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { NotFoundError } from "../core/errors";
import { Name } from "../core/name";
import {
  consumerFeatureServices,
  consumers,
  dataSources,
  entities,
  featureServiceProjections,
  featureServices,
  featureViewEntities,
  featureViews,
} from "../db/schema";
import { defineOperation } from "../operations/define";
import { declaredConsumers, FeatureViewUsage, readsOfViews } from "./feature-view-usage";
import { USAGE_RETENTION_DAYS } from "./recorder";

/**
 * Reads of a feature service, a consumer, an entity and a data source. The serving processes count
 * reads per feature view (recorder.ts), not per service or caller's declared purpose, so these are
 * the reads of the views the service includes (the consumer's services include, the entity keys,
 * the source feeds): `views` names them, and a lookup that read two of them counts twice. The
 * panels say so.
 */

const UsageInput = z.object({
  project: Name,
  name: Name,
  days: z.number().int().min(1).max(USAGE_RETENTION_DAYS).default(30),
});

export const ObjectUsage = FeatureViewUsage.omit({ featureView: true }).extend({
  /** The feature views whose reads are counted, by name. */
  views: z.array(z.string()),
});
export type ObjectUsage = z.infer<typeof ObjectUsage>;

async function viewsOfServices(ctx: Parameters<typeof readsOfViews>[0], serviceIds: string[]) {
  if (serviceIds.length === 0) return [];
  return ctx.db
    .selectDistinct({ id: featureViews.id, name: featureViews.name })
    .from(featureServiceProjections)
    .innerJoin(featureViews, eq(featureViews.id, featureServiceProjections.featureViewId))
    .where(inArray(featureServiceProjections.featureServiceId, serviceIds))
    .orderBy(asc(featureViews.name));
}

export const featureServiceUsageOp = defineOperation({
  name: "featureServices.usage",
  summary:
    "Reads of the feature views a feature service includes, per UTC day and reader, and the consumers declared to read it.",
  kind: "query",
  access: "definitions.read",
  input: UsageInput,
  output: ObjectUsage,
  run: async ({ ctx, input: { project, name, days }, project: p }): Promise<ObjectUsage> => {
    const [service] = await ctx.db
      .select({ id: featureServices.id })
      .from(featureServices)
      .where(and(eq(featureServices.projectId, p.id), eq(featureServices.name, name)))
      .limit(1);
    if (!service)
      throw new NotFoundError(`feature service "${name}" not found in project "${project}"`, "name");
    const views = await viewsOfServices(ctx, [service.id]);
    const ids = views.map((v) => v.id);
    const [counted, declared] = await Promise.all([
      readsOfViews(ctx, p, ids, days),
      declaredConsumers(ctx, ids),
    ]);
    return {
      views: views.map((v) => v.name),
      ...counted,
      // Only the consumers that read this service, through it.
      declaredConsumers: declared.flatMap((c) => (c.via.includes(name) ? [{ ...c, via: [name] }] : [])),
    };
  },
});
export const getFeatureServiceUsage = featureServiceUsageOp.call;

export const consumerUsageOp = defineOperation({
  name: "consumers.usage",
  summary: "Reads of the feature views a consumer's feature services include, per UTC day and reader.",
  kind: "query",
  access: "definitions.read",
  input: UsageInput,
  output: ObjectUsage,
  run: async ({ ctx, input: { project, name, days }, project: p }): Promise<ObjectUsage> => {
    const [consumer] = await ctx.db
      .select({ id: consumers.id })
      .from(consumers)
      .where(and(eq(consumers.projectId, p.id), eq(consumers.name, name)))
      .limit(1);
    if (!consumer) throw new NotFoundError(`consumer "${name}" not found in project "${project}"`, "name");
    const services = await ctx.db
      .select({ id: consumerFeatureServices.featureServiceId })
      .from(consumerFeatureServices)
      .where(eq(consumerFeatureServices.consumerId, consumer.id));
    const views = await viewsOfServices(
      ctx,
      services.map((s) => s.id),
    );
    const counted = await readsOfViews(
      ctx,
      p,
      views.map((v) => v.id),
      days,
    );
    return { views: views.map((v) => v.name), ...counted, declaredConsumers: [] };
  },
});
export const getConsumerUsage = consumerUsageOp.call;

/** Reads of the views keyed by an entity (or fed by a source), and the consumers declared on them. */
function viewsUsageOperation(kind: "entity" | "source") {
  const words = kind === "entity" ? "entity" : "data source";
  return defineOperation({
    name: kind === "entity" ? "entities.usage" : "sources.usage",
    summary: `Reads of the feature views ${kind === "entity" ? "keyed by an entity" : "a data source feeds"}, per UTC day and reader, and the consumers declared to read them.`,
    kind: "query",
    access: "definitions.read",
    input: UsageInput,
    output: ObjectUsage,
    run: async ({ ctx, input: { project, name, days }, project: p }): Promise<ObjectUsage> => {
      const table = kind === "entity" ? entities : dataSources;
      const [row] = await ctx.db
        .select({ id: table.id })
        .from(table)
        .where(and(eq(table.projectId, p.id), eq(table.name, name)))
        .limit(1);
      if (!row) throw new NotFoundError(`${words} "${name}" not found in project "${project}"`, "name");
      const views =
        kind === "entity"
          ? await ctx.db
              .selectDistinct({ id: featureViews.id, name: featureViews.name })
              .from(featureViewEntities)
              .innerJoin(featureViews, eq(featureViews.id, featureViewEntities.featureViewId))
              .where(eq(featureViewEntities.entityId, row.id))
              .orderBy(asc(featureViews.name))
          : await ctx.db
              .select({ id: featureViews.id, name: featureViews.name })
              .from(featureViews)
              .where(eq(featureViews.sourceId, row.id))
              .orderBy(asc(featureViews.name));
      const ids = views.map((v) => v.id);
      const [counted, declared] = await Promise.all([
        readsOfViews(ctx, p, ids, days),
        declaredConsumers(ctx, ids),
      ]);
      return { views: views.map((v) => v.name), ...counted, declaredConsumers: declared };
    },
  });
}

export const entityUsageOp = viewsUsageOperation("entity");
export const getEntityUsage = entityUsageOp.call;
export const sourceUsageOp = viewsUsageOperation("source");
export const getSourceUsage = sourceUsageOp.call;
