import "server-only";
import { and, eq, inArray, type SQL } from "drizzle-orm";
import type { Ctx } from "../core/context";
import type { Db } from "../db/client";
import { dataSources, entities, featureViews } from "../db/schema";
import { currentSpecs } from "../registry/feature-views/spec-store";
import type { JoinKeyType } from "../registry/schemas";
import type { ServingView } from "./serving-view";

export type { ServingView } from "./serving-view";

export async function findDataSource(ctx: Ctx, projectId: string, name: string) {
  const [row] = await ctx.db
    .select()
    .from(dataSources)
    .where(and(eq(dataSources.projectId, projectId), eq(dataSources.name, name)))
    .limit(1);
  return row;
}

/**
 * The views with these names, by name; names that do not exist are simply absent. From the
 * process's registry cache when the context has one (serving), else from the database.
 */
export async function viewsByName(
  ctx: Ctx,
  projectId: string,
  names: string[],
): Promise<Map<string, ServingView>> {
  if (names.length === 0) return new Map();
  if (ctx.registry) return ctx.registry.views(projectId, names);
  const views = await loadServingViews(ctx.db, projectId, inArray(featureViews.name, names));
  return new Map(views.map((v) => [v.name, v]));
}

/** Every view whose current version reads from this source. */
export function viewsOfSource(ctx: Ctx, projectId: string, sourceId: string): Promise<ServingView[]> {
  return loadServingViews(ctx.db, projectId, eq(featureViews.sourceId, sourceId));
}

/** The views `filter` selects, resolved for serving: two queries whatever their number. */
export async function loadServingViews(db: Db, projectId: string, filter: SQL): Promise<ServingView[]> {
  const rows = await currentSpecs(db, projectId, filter);
  if (rows.length === 0) return [];
  const entityNames = [...new Set(rows.flatMap((r) => r.spec.entities))];
  const ents = await db
    .select({ name: entities.name, joinKey: entities.joinKey, valueType: entities.valueType })
    .from(entities)
    .where(and(eq(entities.projectId, projectId), inArray(entities.name, entityNames)));
  const byName = new Map(ents.map((e) => [e.name, e]));
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    version: r.version,
    spec: r.spec,
    joinKeys: r.spec.entities.map((n) => {
      const e = byName.get(n);
      // The registry refuses to delete an entity a view uses, so this is a broken registry.
      if (!e) throw new Error(`entity "${n}" of feature view "${r.name}" is missing`);
      return { name: e.joinKey, valueType: e.valueType as JoinKeyType, entity: e.name };
    }),
  }));
}
