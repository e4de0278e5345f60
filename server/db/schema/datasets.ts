import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import {
  DATASET_ENTITY_SOURCES,
  DATASET_STATUSES,
  DATASET_STORAGE,
  type FileFormat,
} from "../../core/vocabulary";
import { oneOf, registryColumns } from "./common";
import { consumers } from "./consumers";
import { featureServices } from "./feature-services";
import { featureViews } from "./feature-views";

export {
  DATASET_ENTITY_SOURCES,
  DATASET_STATUSES,
  DATASET_STORAGE,
  type DatasetEntitySource,
  type DatasetStatus,
  type DatasetStorage,
} from "../../core/vocabulary";

/** The entity source's details, by kind (datasets.entity_source_kind). */
export type DatasetEntitySourceSpec =
  /** An uploaded file, kept in the project's file area at `path`. */
  | { kind: "upload"; path: string; format: FileFormat; fileName: string }
  /** A SELECT over the project's offline space, run under the sandbox as the project's reader. */
  | { kind: "query"; sql: string }
  /** Every entity of `view` (those with a source row up to each time) at start, start+step, ..., end. */
  | { kind: "grid"; view: string; start: string; end: string; stepSeconds: number };

/**
 * A saved dataset: point-in-time correct training rows, built once by a job on the queue and kept
 * (docs/adr/0022-point-in-time-retrieval.md). The row is also the build's record: status, progress,
 * the worker's heartbeat and the error. A dataset is immutable once ready; a rebuild is a new one.
 */
export const datasets = pgTable(
  "datasets",
  {
    ...registryColumns(),
    /** "view:feature" references, when the dataset was defined by features. */
    features: text("features").array(),
    /** The feature service, when the dataset was defined by one (its name is kept if it goes). */
    featureServiceId: uuid("feature_service_id").references(() => featureServices.id, {
      onDelete: "set null",
    }),
    featureServiceName: text("feature_service_name"),
    fullFeatureNames: boolean("full_feature_names").notNull().default(false),
    entitySourceKind: text("entity_source_kind", { enum: DATASET_ENTITY_SOURCES }).notNull(),
    entitySource: jsonb("entity_source").$type<DatasetEntitySourceSpec>().notNull(),
    status: text("status", { enum: DATASET_STATUSES }).notNull().default("queued"),
    /** Entity rows to process (known once the entity source was read) and processed so far. */
    rowsTotal: bigint("rows_total", { mode: "number" }),
    rowsDone: bigint("rows_done", { mode: "number" }).notNull().default(0),
    /** Bytes of the stored rows once ready. */
    sizeBytes: bigint("size_bytes", { mode: "number" }),
    /** Column names of the stored rows, in order (entity columns, event_timestamp, features). */
    columns: text("columns").array(),
    storageKind: text("storage_kind", { enum: DATASET_STORAGE }).notNull().default("table"),
    /** `"schema"."table"` in the project's offline space, or a path in the project's file area. */
    storageLocation: text("storage_location"),
    createdBy: text("created_by").notNull(),
    /** The queue job building it (pg-boss id). */
    jobId: uuid("job_id"),
    /** Error text safe to show to users. */
    error: text("error"),
    startedAt: timestamp("started_at", { withTimezone: true }),
    heartbeatAt: timestamp("heartbeat_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("datasets_project_name_idx").on(t.projectId, t.name),
    index("datasets_project_created_idx").on(t.projectId, t.createdAt),
    check("datasets_status_check", oneOf(t.status, DATASET_STATUSES)),
    check("datasets_entity_source_kind_check", oneOf(t.entitySourceKind, DATASET_ENTITY_SOURCES)),
    check("datasets_storage_kind_check", oneOf(t.storageKind, DATASET_STORAGE)),
  ],
);

/** The feature views a dataset read, at the version it read (lineage: view -> dataset). */
export const datasetFeatureViews = pgTable(
  "dataset_feature_views",
  {
    datasetId: uuid("dataset_id")
      .notNull()
      .references(() => datasets.id, { onDelete: "cascade" }),
    featureViewId: uuid("feature_view_id")
      .notNull()
      .references(() => featureViews.id),
    featureViewVersion: integer("feature_view_version").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.datasetId, t.featureViewId] }),
    index("dataset_feature_views_view_idx").on(t.featureViewId),
  ],
);

/** Models trained on a dataset (lineage: dataset -> consumer). */
export const consumerDatasets = pgTable(
  "consumer_datasets",
  {
    consumerId: uuid("consumer_id")
      .notNull()
      .references(() => consumers.id, { onDelete: "cascade" }),
    datasetId: uuid("dataset_id")
      .notNull()
      .references(() => datasets.id, { onDelete: "cascade" }),
  },
  (t) => [
    primaryKey({ columns: [t.consumerId, t.datasetId] }),
    index("consumer_datasets_dataset_idx").on(t.datasetId),
  ],
);
