import { z } from "zod";
import { Name } from "../core/name";
import { RUN_STATUSES, TRANSFORMATION_ENGINES, TRANSFORMATION_RUN_MODES } from "../core/vocabulary";
import { MAX_QUERY_CHARS } from "../registry/schemas";

/** Input and output shapes of the transformation operations, defined once for every door. */

const Tags = z.record(z.string(), z.string());
const Scoped = z.object({ project: Name });

export const TransformationSpec = z.object({
  name: Name,
  /** One SELECT over the project's data sources, by name (docs/adr/0035-batch-transformations.md). */
  sql: z.string().min(1).max(MAX_QUERY_CHARS),
  /** The output column holding each row's event time: date, timestamp or timestamptz. */
  eventTimestampColumn: z.string().min(1).max(63),
  description: z.string().max(10_000).default(""),
  tags: Tags.default({}),
  owner: z.string().max(200).default(""),
});
export type TransformationSpec = z.infer<typeof TransformationSpec>;

export const CreateTransformationInput = Scoped.extend({ spec: TransformationSpec });
/** An update names the version it edits: a stale one is a conflict (no lost updates). */
export const UpdateTransformationInput = Scoped.extend({
  spec: TransformationSpec,
  version: z.number().int().positive(),
});
export const TransformationName = Scoped.extend({ name: Name });
export const GetTransformationInput = TransformationName.extend({
  version: z.number().int().positive().optional(),
});
export const PreviewTransformationInput = Scoped.extend({
  sql: z.string().min(1).max(MAX_QUERY_CHARS),
});

const Iso = z.coerce.date();
export const RunTransformationInput = TransformationName.extend({
  /** incremental: from the watermark to `end` (a first run is a full refresh); full: the whole table. */
  mode: z.enum(["incremental", "full"]).default("incremental"),
  /** The end of an incremental window; default now. */
  end: Iso.optional(),
});
export const BackfillTransformationInput = TransformationName.extend({ start: Iso, end: Iso });
export const ListTransformationRunsInput = TransformationName.extend({
  limit: z.number().int().min(1).max(500).default(50),
});
export const GetTransformationRunInput = Scoped.extend({ runId: z.string().uuid() });
export const ExecuteTransformationRunInput = z.object({
  runId: z.string().uuid(),
  lastAttempt: z.boolean().default(true),
  batchSize: z.number().int().positive().optional(),
  /** The sweeper's bound; the run beats four times within it. */
  heartbeatTimeoutSeconds: z.number().positive().optional(),
});

/** Retry a failed or cancelled run as a new run (same mode and window). */
export const RetryTransformationRunInput = Scoped.extend({ runId: z.string().uuid() });

export const SourceColumnRef = z.object({ source: z.string(), column: z.string() });
export const OutputColumn = z.object({
  name: z.string(),
  columnType: z.string(),
  valueType: z.string().nullable(),
  from: z.array(SourceColumnRef),
});

export const Transformation = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  tags: Tags,
  owner: z.string(),
  currentVersion: z.number(),
  version: z.number(),
  sql: z.string(),
  eventTimestampColumn: z.string(),
  engine: z.enum(TRANSFORMATION_ENGINES),
  sources: z.array(z.string()),
  columns: z.array(OutputColumn),
  incremental: z.boolean(),
  notIncremental: z.array(z.string()),
  /** The data source its runs fill, which feature views read. */
  outputSource: z.string(),
  outputTable: z.string(),
  computedUntil: z.date().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type Transformation = z.infer<typeof Transformation>;

export const TransformationPreview = z.object({
  columns: z.array(z.object({ name: z.string(), columnType: z.string() })),
  /** Values as Postgres' (or DuckDB's) text forms. */
  rows: z.array(z.array(z.string().nullable())),
});

export const TransformationRun = z.object({
  id: z.string(),
  transformation: z.string(),
  version: z.number(),
  mode: z.enum(TRANSFORMATION_RUN_MODES),
  status: z.enum(RUN_STATUSES),
  startTs: z.date().nullable(),
  endTs: z.date().nullable(),
  rowsWritten: z.number(),
  attempts: z.number(),
  error: z.string().nullable(),
  startedBy: z.string(),
  createdAt: z.date(),
  startedAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
});
export type TransformationRun = z.infer<typeof TransformationRun>;

/** One row of a transformation's version history (the shared version table's shape). */
export const TransformationVersionRow = z.object({
  version: z.number(),
  createdAt: z.date(),
  createdBy: z.string(),
});

/** A row of the transformations list: the current version and the latest run, if any. */
export const TransformationListItem = Transformation.extend({ lastRun: TransformationRun.nullable() });

export const DeletedTransformation = z.object({ name: z.string(), outputSource: z.string() });

export const DiffTransformationInput = TransformationName.extend({
  from: z.number().int().positive(),
  to: z.number().int().positive(),
});
export const TransformationDiff = z.object({
  name: z.string(),
  from: z.number(),
  to: z.number(),
  sql: z.object({ changed: z.boolean(), from: z.string(), to: z.string() }),
  eventTimestampColumn: z.object({ from: z.string(), to: z.string() }).nullable(),
  engine: z.object({ from: z.string(), to: z.string() }).nullable(),
  columns: z.object({
    added: z.array(OutputColumn),
    removed: z.array(OutputColumn),
    retyped: z.array(z.object({ name: z.string(), from: z.string(), to: z.string() })),
    /** Columns whose source columns changed. */
    relineaged: z.array(z.string()),
  }),
  incremental: z.object({ from: z.boolean(), to: z.boolean() }).nullable(),
  /** Changed among description, tags, owner. */
  metadata: z.array(z.string()),
});
