import "server-only";
import { and, asc, desc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { NotFoundError } from "../../core/errors";
import { Name } from "../../core/name";
import { dataSources, entities, featureViews, featureViewVersions } from "../../db/schema";
import { defineOperation } from "../../operations/define";
import * as out from "../outputs";
import type { FeatureViewSpec } from "../schemas";
import type { DataSourceRow, EntityRow } from "./refs";
import { currentSpecs, readSpec } from "./spec-store";

export const GetFeatureViewInput = z.object({
  project: Name,
  name: Name,
  /** A past version; the current one when omitted. */
  version: z.number().int().positive().optional(),
});

export interface FeatureViewDetail {
  id: string;
  projectId: string;
  project: string;
  name: string;
  /** The version returned. */
  version: number;
  currentVersion: number;
  spec: FeatureViewSpec;
  versionCreatedAt: Date;
  versionCreatedBy: string;
  createdAt: Date;
  updatedAt: Date;
  materializedUntil: Date | null;
  deprecatedAt: Date | null;
  deprecationNote: string;
  replacedBy: string | null;
  /** The spec's source and entities as they are now, resolved by name. */
  source: DataSourceRow;
  entities: EntityRow[];
}

export const getFeatureViewOp = defineOperation({
  name: "featureViews.get",
  summary: "One feature view at its current version, or at a given one.",
  kind: "query",
  access: "definitions.read",
  input: GetFeatureViewInput,
  output: out.FeatureViewDetail,
  run: async ({ ctx, input: { project, name, version }, project: p }) => {
    const [view] = await ctx.db
      .select()
      .from(featureViews)
      .where(and(eq(featureViews.projectId, p.id), eq(featureViews.name, name)))
      .limit(1);
    if (!view) throw new NotFoundError(`feature view "${name}" not found in project "${project}"`, "name");
    const wanted = version ?? view.currentVersion;
    const [ver] = await ctx.db
      .select()
      .from(featureViewVersions)
      .where(and(eq(featureViewVersions.featureViewId, view.id), eq(featureViewVersions.version, wanted)))
      .limit(1);
    if (!ver) throw new NotFoundError(`feature view "${name}" has no version ${wanted}`, "version");
    const spec = readSpec(ver.spec, { view: view.name, version: wanted });

    const [source] = await ctx.db
      .select()
      .from(dataSources)
      .where(and(eq(dataSources.projectId, p.id), eq(dataSources.name, spec.source)))
      .limit(1);
    if (!source)
      throw new NotFoundError(`data source "${spec.source}" of "${name}" no longer exists`, "source");
    const ents = await ctx.db
      .select()
      .from(entities)
      .where(and(eq(entities.projectId, p.id), inArray(entities.name, spec.entities)));
    const byName = new Map(ents.map((e) => [e.name, e]));

    return {
      id: view.id,
      projectId: p.id,
      project: p.name,
      name: view.name,
      version: wanted,
      currentVersion: view.currentVersion,
      spec,
      versionCreatedAt: ver.createdAt,
      versionCreatedBy: ver.createdBy,
      createdAt: view.createdAt,
      updatedAt: view.updatedAt,
      materializedUntil: view.materializedUntil,
      deprecatedAt: view.deprecatedAt,
      deprecationNote: view.deprecationNote,
      replacedBy: view.replacedBy,
      source,
      entities: spec.entities.flatMap((n) => byName.get(n) ?? []),
    };
  },
});
export const getFeatureView = getFeatureViewOp.call;

export const ListFeatureViewsInput = z.object({ project: Name });

export type FeatureViewRow = typeof featureViews.$inferSelect;

/** All views of a project with their source and entity names, for lists and pickers. */
export const listFeatureViewsOp = defineOperation({
  name: "featureViews.list",
  summary: "A project's feature views at their current versions, by name.",
  kind: "query",
  access: "definitions.read",
  input: ListFeatureViewsInput,
  output: z.array(out.FeatureViewListItem),
  run: async ({ ctx, project: p }) => {
    const rows = await ctx.db
      .select({ view: featureViews, sourceName: dataSources.name })
      .from(featureViews)
      .innerJoin(dataSources, eq(dataSources.id, featureViews.sourceId))
      .where(eq(featureViews.projectId, p.id))
      .orderBy(asc(featureViews.name));
    if (rows.length === 0) return [];
    const specOf = new Map((await currentSpecs(ctx.db, p.id)).map((v) => [v.id, v.spec]));
    return rows.flatMap(({ view, sourceName }) => {
      const spec = specOf.get(view.id);
      return spec
        ? [{ ...view, sourceName, entityNames: spec.entities, featureCount: spec.fields.length, spec }]
        : [];
    });
  },
});
export const listFeatureViews = listFeatureViewsOp.call;

export const ListVersionsInput = z.object({ project: Name, name: Name });

export const listFeatureViewVersionsOp = defineOperation({
  name: "featureViews.versions",
  summary: "A feature view's versions, newest first.",
  kind: "query",
  access: "definitions.read",
  input: ListVersionsInput,
  output: z.array(out.FeatureViewVersion),
  run: async ({ ctx, input: { project, name } }) => {
    const view = await getFeatureView({ ctx, input: { project, name } });
    return ctx.db
      .select({
        version: featureViewVersions.version,
        createdAt: featureViewVersions.createdAt,
        createdBy: featureViewVersions.createdBy,
      })
      .from(featureViewVersions)
      .where(eq(featureViewVersions.featureViewId, view.id))
      .orderBy(desc(featureViewVersions.version));
  },
});
export const listFeatureViewVersions = listFeatureViewVersionsOp.call;
