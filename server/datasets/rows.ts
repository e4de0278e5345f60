import "server-only";
import { and, asc, desc, eq, inArray, type SQL } from "drizzle-orm";
import type { Ctx } from "../core/context";
import { NotFoundError } from "../core/errors";
import { consumerDatasets, consumers, datasetFeatureViews, datasets, featureViews } from "../db/schema";
import type { Dataset } from "./schemas";

/**
 * Reading dataset rows with what they point at: the versions of the views they read and the
 * consumers (models) trained on them. The row is the dataset and its build record at once.
 */

export type DatasetRow = typeof datasets.$inferSelect;

export async function loadDatasets(ctx: Ctx, projectId: string, filter?: SQL): Promise<Dataset[]> {
  const rows = await ctx.db
    .select()
    .from(datasets)
    .where(and(eq(datasets.projectId, projectId), filter))
    .orderBy(desc(datasets.createdAt), asc(datasets.name));
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const views = await ctx.db
    .select({
      datasetId: datasetFeatureViews.datasetId,
      view: featureViews.name,
      version: datasetFeatureViews.featureViewVersion,
    })
    .from(datasetFeatureViews)
    .innerJoin(featureViews, eq(featureViews.id, datasetFeatureViews.featureViewId))
    .where(inArray(datasetFeatureViews.datasetId, ids));
  const users = await ctx.db
    .select({ datasetId: consumerDatasets.datasetId, consumer: consumers.name })
    .from(consumerDatasets)
    .innerJoin(consumers, eq(consumers.id, consumerDatasets.consumerId))
    .where(inArray(consumerDatasets.datasetId, ids))
    .orderBy(asc(consumers.name));
  return rows.map((r) => toDataset(r, views, users));
}

export async function loadDataset(
  ctx: Ctx,
  project: { id: string; name: string },
  name: string,
): Promise<Dataset> {
  const [found] = await loadDatasets(ctx, project.id, eq(datasets.name, name));
  if (!found) throw new NotFoundError(`dataset "${name}" not found in project "${project.name}"`, "name");
  return found;
}

/** The bare row (for the services that act on storage), or a 404 naming the dataset. */
export async function datasetRow(
  ctx: Ctx,
  project: { id: string; name: string },
  name: string,
): Promise<DatasetRow> {
  const [row] = await ctx.db
    .select()
    .from(datasets)
    .where(and(eq(datasets.projectId, project.id), eq(datasets.name, name)))
    .limit(1);
  if (!row) throw new NotFoundError(`dataset "${name}" not found in project "${project.name}"`, "name");
  return row;
}

function toDataset(
  r: DatasetRow,
  views: { datasetId: string; view: string; version: number }[],
  users: { datasetId: string; consumer: string }[],
): Dataset {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    tags: r.tags,
    owner: r.owner,
    status: r.status,
    features: r.features,
    featureService: r.featureServiceName,
    fullFeatureNames: r.fullFeatureNames,
    entitySourceKind: r.entitySourceKind,
    entitySource: r.entitySource,
    rowsTotal: r.rowsTotal,
    rowsDone: r.rowsDone,
    sizeBytes: r.sizeBytes,
    columns: r.columns,
    storageKind: r.storageKind,
    storageLocation: r.storageLocation,
    viewVersions: Object.fromEntries(
      views.filter((v) => v.datasetId === r.id).map((v) => [v.view, v.version]),
    ),
    consumers: users.filter((u) => u.datasetId === r.id).map((u) => u.consumer),
    createdBy: r.createdBy,
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    error: r.error,
    deprecatedAt: r.deprecatedAt,
    deprecationNote: r.deprecationNote,
    replacedBy: r.replacedBy,
  };
}
