import { z } from "zod";
import { Name } from "../core/name";
import { DATASET_ENTITY_SOURCES, DATASET_STATUSES, DATASET_STORAGE, FILE_FORMATS } from "../core/vocabulary";
import { MAX_QUERY_CHARS, Tags } from "../registry/schemas";

/**
 * The input and output shapes of saved datasets (docs/adr/0022-point-in-time-retrieval.md), the one
 * contract of the service (server/datasets/*), its doors (tRPC, REST, CLI) and the Datasets pages.
 * Pure: the browser imports it for its forms.
 */

/** An uploaded entity file is at most this large (base64 grows it by a third on the wire). */
export const MAX_UPLOAD_BYTES = 48 * 1024 * 1024;
/** Entity rows a saved dataset may have. */
export const MAX_DATASET_ROWS = 50_000_000;
/** Rows of a preview (before saving, and of a saved dataset). */
export const PREVIEW_ROWS = 100;
/** Times a grid entity source may have (entities x times is bounded by MAX_DATASET_ROWS too). */
export const MAX_GRID_TIMES = 10_000;

/** What to read: "view:feature" references or a feature service (exactly one of them). */
export const FeatureSelection = z
  .object({
    features: z.array(z.string().min(1).max(200)).min(1).max(10_000).optional(),
    featureService: Name.optional(),
    fullFeatureNames: z.boolean().default(false),
  })
  .superRefine((s, ctx) => {
    if (!s.features === (s.featureService === undefined))
      ctx.addIssue({
        code: "custom",
        path: ["features"],
        message: 'give either "features" or "featureService" (one of them)',
      });
  });

/** An ISO 8601 instant; no offset means UTC. */
const Instant = z.string().min(10).max(40);

/** Where the entity rows (join keys and event_timestamp) come from. */
export const EntitySourceInput = z.discriminatedUnion("kind", [
  /** A file uploaded first with datasets.upload; `path` is what the upload answered. */
  z.object({
    kind: z.literal("upload"),
    path: z.string().min(1).max(1024),
    format: z.enum(FILE_FORMATS),
    fileName: z.string().min(1).max(256),
  }),
  /** A SELECT over the project's offline space, run under the sandbox as the project's reader. */
  z.object({ kind: z.literal("query"), sql: z.string().min(1).max(MAX_QUERY_CHARS) }),
  /** Every entity of `view` (keys seen in its source up to `end`) at start, start + step, ..., end. */
  z.object({
    kind: z.literal("grid"),
    view: Name,
    start: Instant,
    end: Instant,
    stepSeconds: z
      .number()
      .int()
      .min(1)
      .max(366 * 86400),
  }),
]);
export type EntitySourceInput = z.input<typeof EntitySourceInput>;

export const CreateDatasetInput = z.object({
  project: Name,
  name: Name,
  description: z.string().max(4000).default(""),
  tags: Tags,
  owner: z.string().max(256).default(""),
  selection: FeatureSelection,
  entitySource: EntitySourceInput,
  /** Where the rows are kept: a table in the project's offline space, or a Parquet file. */
  storage: z.enum(DATASET_STORAGE).default("table"),
});
export type CreateDatasetInput = z.input<typeof CreateDatasetInput>;

/** The builder's preview: the first PREVIEW_ROWS entity rows joined, nothing saved. */
export const PreviewDraftInput = CreateDatasetInput.pick({
  project: true,
  selection: true,
  entitySource: true,
});

export const DatasetRef = z.object({ project: Name, name: Name });
export const ListDatasetsInput = z.object({ project: Name });

export const UploadEntitiesInput = z.object({
  project: Name,
  fileName: z.string().min(1).max(256),
  format: z.enum(FILE_FORMATS),
  /** The file's bytes, base64. */
  contentBase64: z.string().max(Math.ceil(MAX_UPLOAD_BYTES / 3) * 4),
});

export const DownloadDatasetInput = DatasetRef.extend({ format: z.enum(["csv", "parquet"]).default("csv") });

/** What datasets.upload answers: where the file is kept and what it holds. */
export const UploadedEntities = z.object({
  path: z.string(),
  fileName: z.string(),
  format: z.enum(FILE_FORMATS),
  rows: z.number(),
  columns: z.array(z.string()),
});

export const EntitySourceSpec = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("upload"),
    path: z.string(),
    format: z.enum(FILE_FORMATS),
    fileName: z.string(),
  }),
  z.object({ kind: z.literal("query"), sql: z.string() }),
  z.object({
    kind: z.literal("grid"),
    view: z.string(),
    start: z.string(),
    end: z.string(),
    stepSeconds: z.number(),
  }),
]);

export const Dataset = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  tags: z.record(z.string(), z.string()),
  owner: z.string(),
  status: z.enum(DATASET_STATUSES),
  features: z.array(z.string()).nullable(),
  featureService: z.string().nullable(),
  fullFeatureNames: z.boolean(),
  entitySourceKind: z.enum(DATASET_ENTITY_SOURCES),
  entitySource: EntitySourceSpec,
  rowsTotal: z.number().nullable(),
  rowsDone: z.number(),
  sizeBytes: z.number().nullable(),
  columns: z.array(z.string()).nullable(),
  storageKind: z.enum(DATASET_STORAGE),
  storageLocation: z.string().nullable(),
  /** Feature view name -> the version the rows were computed with. */
  viewVersions: z.record(z.string(), z.number()),
  /** Models trained on it (consumers that list it). */
  consumers: z.array(z.string()),
  createdBy: z.string(),
  createdAt: z.date(),
  startedAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
  error: z.string().nullable(),
  /** Deprecation (docs/adr/0025): when, why, and the dataset that replaces it. */
  deprecatedAt: z.date().nullable(),
  deprecationNote: z.string(),
  replacedBy: z.string().nullable(),
});
export type Dataset = z.output<typeof Dataset>;

/** Rows in the columnar order of `columns`; null rates per feature column over the whole dataset. */
export const DatasetRows = z.object({
  columns: z.array(z.string()),
  /** The feature columns among `columns` (the rest are entity columns and event_timestamp). */
  featureColumns: z.array(z.string()),
  rows: z.array(z.array(z.unknown())),
  /** Rows in the whole dataset (or, for a draft, entity rows the source gives; null when unknown). */
  rowCount: z.number().nullable(),
  /** Feature column -> share of null values (0..1), over the whole dataset or the preview. */
  nullRates: z.record(z.string(), z.number()),
});
export type DatasetRows = z.output<typeof DatasetRows>;

/** What datasets.list answers. */
export const DatasetList = z.object({ items: z.array(Dataset) });
