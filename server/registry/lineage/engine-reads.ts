import "server-only";
import { and, asc, eq } from "drizzle-orm";
import { type Db, schema } from "../../db/client";
import type {
  OnDemandProjectionRow,
  OnDemandViewRow,
  StreamViewRow,
  TransformationRow,
} from "./engine-nodes";

/**
 * The set-based reads of the three engines for the lineage graph (one query each, scoped by
 * project, whatever the project's size), each joined to its current version.
 */

export async function transformations(db: Db, projectId: string): Promise<TransformationRow[]> {
  const { transformations: t, transformationVersions: tv, dataSources: ds } = schema;
  const rows = await db
    .select({
      name: t.name,
      owner: t.owner,
      description: t.description,
      version: t.currentVersion,
      engine: tv.engine,
      output: ds.name,
      reads: tv.sources,
      columns: tv.columns,
      notIncremental: tv.notIncremental,
    })
    .from(t)
    .innerJoin(ds, eq(ds.id, t.outputSourceId))
    .innerJoin(tv, and(eq(tv.transformationId, t.id), eq(tv.version, t.currentVersion)))
    .where(eq(t.projectId, projectId))
    .orderBy(asc(t.name));
  return rows.map(({ columns, ...r }) => ({ ...r, columnCount: columns.length }));
}

export function streamViews(db: Db, projectId: string): Promise<StreamViewRow[]> {
  const { streamViews: sv, streamViewVersions: svv } = schema;
  return db
    .select({
      name: sv.name,
      owner: sv.owner,
      description: sv.description,
      version: sv.currentVersion,
      streamKey: sv.streamKey,
      tileSeconds: sv.tileSeconds,
      spec: svv.spec,
    })
    .from(sv)
    .innerJoin(svv, and(eq(svv.streamViewId, sv.id), eq(svv.version, sv.currentVersion)))
    .where(eq(sv.projectId, projectId))
    .orderBy(asc(sv.name));
}

export function onDemandViews(db: Db, projectId: string): Promise<OnDemandViewRow[]> {
  const { onDemandViews: odv, onDemandViewVersions: odvv } = schema;
  return db
    .select({
      name: odv.name,
      owner: odv.owner,
      description: odv.description,
      version: odv.currentVersion,
      spec: odvv.spec,
    })
    .from(odv)
    .innerJoin(odvv, and(eq(odvv.onDemandViewId, odv.id), eq(odvv.version, odv.currentVersion)))
    .where(eq(odv.projectId, projectId))
    .orderBy(asc(odv.name));
}

export function onDemandProjections(db: Db, projectId: string): Promise<OnDemandProjectionRow[]> {
  const { featureServiceOnDemandProjections: p, featureServices: fs, onDemandViews: odv } = schema;
  return db
    .select({ service: fs.name, view: odv.name, featureNames: p.featureNames })
    .from(p)
    .innerJoin(fs, eq(fs.id, p.featureServiceId))
    .innerJoin(odv, eq(odv.id, p.onDemandViewId))
    .where(eq(fs.projectId, projectId))
    .orderBy(asc(fs.name), asc(odv.name));
}
