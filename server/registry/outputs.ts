import "server-only";
import { z } from "zod";
import { ROLES } from "../auth/roles";
import { CONSUMER_KINDS, DATA_SOURCE_KINDS, FILE_FORMATS } from "../core/vocabulary";
import { FeatureViewSpec } from "./schemas";

/** Output shapes of the tRPC procedures: what the browser may rely on, checked at the door. */

const Tags = z.record(z.string(), z.string());

/**
 * Deprecation, a state every registry object carries (docs/adr/0025): when it was deprecated (null:
 * it is not), why, and the same-kind object that replaces it. A deprecated object keeps working.
 */
export const Deprecation = {
  deprecatedAt: z.date().nullable(),
  deprecationNote: z.string(),
  replacedBy: z.string().nullable(),
};

const Owned = {
  id: z.string(),
  projectId: z.string(),
  name: z.string(),
  description: z.string(),
  tags: Tags,
  owner: z.string(),
  createdAt: z.date(),
  updatedAt: z.date(),
  ...Deprecation,
};

export const Project = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  createdAt: z.date(),
  /** The caller's role in the project; null for Quiver itself and the local CLI. */
  role: z.enum(ROLES).nullable(),
});

export const Entity = z.object({ ...Owned, joinKey: z.string(), valueType: z.string() });

export const DataSource = z.object({
  ...Owned,
  kind: z.enum(DATA_SOURCE_KINDS),
  tableName: z.string().nullable(),
  query: z.string().nullable(),
  path: z.string().nullable(),
  fileFormat: z.enum(FILE_FORMATS).nullable(),
  timestampField: z.string(),
  createdTimestampField: z.string().nullable(),
  fieldMapping: z.record(z.string(), z.string()),
});

const ViewHead = {
  ...Owned,
  currentVersion: z.number(),
  sourceId: z.string(),
  ttlSeconds: z.number(),
  online: z.boolean(),
  freshnessSlaSeconds: z.number().nullable(),
  materializedUntil: z.date().nullable(),
};

export const FeatureViewListItem = z.object({
  ...ViewHead,
  sourceName: z.string(),
  entityNames: z.array(z.string()),
  featureCount: z.number(),
  spec: FeatureViewSpec,
});

export const FeatureViewDetail = z.object({
  id: z.string(),
  projectId: z.string(),
  project: z.string(),
  name: z.string(),
  version: z.number(),
  currentVersion: z.number(),
  spec: FeatureViewSpec,
  versionCreatedAt: z.date(),
  versionCreatedBy: z.string(),
  createdAt: z.date(),
  updatedAt: z.date(),
  materializedUntil: z.date().nullable(),
  ...Deprecation,
  source: DataSource,
  entities: z.array(Entity),
});

export const FeatureViewVersion = z.object({
  version: z.number(),
  createdAt: z.date(),
  createdBy: z.string(),
});

export const VersionDiff = z.object({
  from: z.number(),
  to: z.number(),
  changes: z.array(
    z.object({
      path: z.string(),
      kind: z.enum(["added", "removed", "changed"]),
      before: z.unknown().optional(),
      after: z.unknown().optional(),
    }),
  ),
});

export const WrittenView = z.object({
  id: z.string(),
  name: z.string(),
  version: z.number(),
  changed: z.boolean().optional(),
  /** featureViews.update: the save dropped the view's online values (a breaking change, docs/adr/0025). */
  onlineValuesCleared: z.boolean().optional(),
  /** featureViews.update with rematerialize: the queued run; null when none was asked for. */
  runId: z.string().nullable().optional(),
});

export const FeatureService = z.object({ ...Owned, features: z.array(z.string()) });

export const Consumer = z.object({
  ...Owned,
  kind: z.enum(CONSUMER_KINDS),
  featureServices: z.array(z.string()),
  /** The saved datasets it was trained on, by name. */
  datasets: z.array(z.string()),
});

const Facet = z.array(z.object({ value: z.string(), count: z.number() }));
export const SearchResult = z.object({
  total: z.number(),
  items: z.array(
    z.object({
      featureView: z.string(),
      name: z.string(),
      dtype: z.string(),
      description: z.string(),
      tags: Tags,
      owner: z.string(),
      entities: z.array(z.string()),
      rank: z.number(),
    }),
  ),
  facets: z.object({ tags: Facet, owners: Facet, entities: Facet, views: Facet }),
});
