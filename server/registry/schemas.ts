import { z } from "zod";
import { Name } from "../core/name";
import {
  CONSUMER_KINDS,
  DATA_SOURCE_KINDS,
  FILE_FORMATS,
  JOIN_KEY_TYPES,
  VALUE_TYPES,
} from "../core/vocabulary";

/**
 * The zod shapes of registry definitions, defined once and imported by every door
 * (tRPC, REST, CLI, forms). Services parse their input with these.
 */

export {
  JOIN_KEY_TYPES,
  type JoinKeyType,
  SCALAR_TYPES,
  type ScalarType,
  VALUE_TYPES,
  type ValueType,
} from "../core/vocabulary";
export const ValueTypeSchema = z.enum(VALUE_TYPES);

export const Tags = z
  .record(z.string().min(1).max(64), z.string().max(256))
  .refine((t) => Object.keys(t).length <= 32, "at most 32 tags")
  .default({});

const Description = z.string().max(4000).default("");
const Owner = z.string().max(256).default("");

export const EntityInput = z.object({
  name: Name,
  joinKey: Name,
  valueType: z.enum(JOIN_KEY_TYPES),
  description: Description,
  tags: Tags,
  owner: Owner,
});
export type EntityInput = z.input<typeof EntityInput>;

/** A Postgres identifier path like `offline.driver_stats` or `driver_stats`. */
/** Longest query source accepted (the SQL sandbox's parser stays far from its stack limit below it). */
export const MAX_QUERY_CHARS = 10_000;

export const TABLE_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;
const ColumnName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, "must be a plain column name");

export const DataSourceInput = z
  .object({
    name: Name,
    kind: z.enum(DATA_SOURCE_KINDS),
    tableName: z
      .string()
      .regex(TABLE_NAME_PATTERN, "must be a table name like schema.table or table")
      .optional(),
    query: z.string().min(1).max(MAX_QUERY_CHARS).optional(),
    /** A file source's path inside the project's file area, like `events/clicks.parquet` (checked by the offline store). */
    path: z.string().min(1).max(1024).optional(),
    fileFormat: z.enum(FILE_FORMATS).optional(),
    timestampField: ColumnName,
    createdTimestampField: ColumnName.optional(),
    fieldMapping: z.record(ColumnName, Name).default({}),
    description: Description,
    tags: Tags,
    owner: Owner,
  })
  .superRefine((s, ctx) => {
    if (s.kind === "table" && !s.tableName)
      ctx.addIssue({ code: "custom", path: ["tableName"], message: "a table source needs a table name" });
    if (s.kind === "query" && !s.query)
      ctx.addIssue({ code: "custom", path: ["query"], message: "a query source needs a query" });
    if (s.kind === "file") {
      if (!s.path)
        ctx.addIssue({
          code: "custom",
          path: ["path"],
          message: "a file source needs the path of its file in the project's file area",
        });
      if (!s.fileFormat)
        ctx.addIssue({
          code: "custom",
          path: ["fileFormat"],
          message: "a file source needs a format (parquet or csv)",
        });
      for (const field of ["tableName", "query"] as const)
        if (s[field] !== undefined)
          ctx.addIssue({ code: "custom", path: [field], message: `a file source has no ${field}` });
    } else {
      for (const field of ["path", "fileFormat"] as const)
        if (s[field] !== undefined)
          ctx.addIssue({ code: "custom", path: [field], message: `only a file source has a ${field}` });
    }
  });
export type DataSourceInput = z.input<typeof DataSourceInput>;

export const FieldSpec = z.object({
  name: Name,
  dtype: ValueTypeSchema,
  description: z.string().max(2000).default(""),
  tags: Tags,
});
export type FieldSpec = z.infer<typeof FieldSpec>;

/** The full definition of a feature view; every version stores one. */
export const FeatureViewSpec = z
  .object({
    name: Name,
    entities: z.array(Name).min(1, "a feature view needs at least one entity").max(8),
    fields: z.array(FieldSpec).min(1, "a feature view needs at least one field").max(1000),
    source: Name,
    /** Seconds a value stays valid after its event time; 0 = no limit. */
    ttlSeconds: z
      .number()
      .int()
      .min(0)
      .max(10 * 365 * 86400),
    online: z.boolean().default(true),
    offline: z.boolean().default(true),
    description: Description,
    tags: Tags,
    owner: Owner,
    /** How stale the newest materialized data may be before the view is in breach; null = no SLA. */
    freshnessSlaSeconds: z.number().int().positive().nullable().default(null),
  })
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    s.fields.forEach((f, i) => {
      if (seen.has(f.name))
        ctx.addIssue({ code: "custom", path: ["fields", i, "name"], message: `duplicate field "${f.name}"` });
      seen.add(f.name);
    });
    const ents = new Set<string>();
    s.entities.forEach((e, i) => {
      if (ents.has(e))
        ctx.addIssue({ code: "custom", path: ["entities", i], message: `duplicate entity "${e}"` });
      ents.add(e);
    });
  });
export type FeatureViewSpec = z.infer<typeof FeatureViewSpec>;
export type FeatureViewSpecInput = z.input<typeof FeatureViewSpec>;

export const UpdateFeatureViewInput = z.object({
  /** The version this edit was made against; a stale one is refused as a conflict. */
  baseVersion: z.number().int().positive(),
  spec: FeatureViewSpec,
});

export const FeatureServiceInput = z.object({
  name: Name,
  /** Entries "view:feature" or "view:*" (all features of the view at read time). */
  features: z
    .array(z.string().regex(/^[a-z][a-z0-9_]{0,62}:([a-z][a-z0-9_]{0,62}|\*)$/, 'must be "view:feature"'))
    .min(1),
  description: Description,
  tags: Tags,
  owner: Owner,
});
export type FeatureServiceInput = z.input<typeof FeatureServiceInput>;

export const ConsumerInput = z.object({
  name: Name,
  kind: z.enum(CONSUMER_KINDS),
  featureServices: z.array(Name).default([]),
  /** Saved datasets the model was trained on (lineage: dataset -> consumer). */
  datasets: z.array(Name).default([]),
  description: Description,
  tags: Tags,
  owner: Owner,
});
export type ConsumerInput = z.input<typeof ConsumerInput>;
