import "server-only";
import { z } from "zod";
import { NotFoundError } from "../core/errors";
import { Name } from "../core/name";
import { previewSource, SOURCE_PREVIEW_MAX_ROWS, sourceColumnTypes } from "../offline/source-preview";
import { sourceColumnOf } from "../offline/source-query";
import { defineOperation } from "../operations/define";
import { getDataSource } from "./data-sources";
import { getFeatureView } from "./feature-views";

/**
 * What a data source holds, for the object pages (docs/adr/0027-object-page-previews.md):
 * - its columns and their types (a definition: viewers may see it; forms check types with it);
 * - its first rows, or a view's (or one feature's) columns of them. Rows are values, so they need
 *   `values.read` (consumer and up), as a dataset's rows and online lookups do.
 * Every read runs through the offline store as the project's reader with the probe timeout, at
 * most SOURCE_PREVIEW_MAX_ROWS rows, errors mapped: a source the project cannot read is a 400
 * naming the problem.
 */

const Limit = z.number().int().min(1).max(SOURCE_PREVIEW_MAX_ROWS).default(20);

const Column = z.object({ name: z.string(), type: z.string() });

export const SourcePreview = z.object({
  columns: z.array(Column),
  /** One array per row, values in column order (times as Postgres' UTC text, bytes as \x hex). */
  rows: z.array(z.array(z.unknown())),
});

export const PreviewSourceInput = z.object({ project: Name, name: Name, limit: Limit });

export const previewSourceOp = defineOperation({
  name: "sources.preview",
  summary: `A data source's first rows (at most ${SOURCE_PREVIEW_MAX_ROWS}), read as the project's offline reader.`,
  kind: "query",
  access: "values.read",
  input: PreviewSourceInput,
  output: SourcePreview,
  run: async ({ ctx, input: { project, name, limit }, project: p }) => {
    const source = await getDataSource({ ctx, input: { project, name } });
    return previewSource(ctx.offline, p.name, source, { limit });
  },
});
export const previewDataSource = previewSourceOp.call;

export const SourceColumnsInput = z.object({ project: Name, name: Name });

export const sourceColumnsOp = defineOperation({
  name: "sources.columns",
  summary: "A data source's columns and their types (Postgres' names; DuckDB's for a file), reading no row.",
  kind: "query",
  access: "definitions.read",
  input: SourceColumnsInput,
  output: z.object({ columns: z.array(Column) }),
  run: async ({ ctx, input: { project, name }, project: p }) => {
    const source = await getDataSource({ ctx, input: { project, name } });
    return { columns: await sourceColumnTypes(ctx.offline, p.name, source) };
  },
});
export const dataSourceColumns = sourceColumnsOp.call;

export const PreviewViewInput = z.object({
  project: Name,
  name: Name,
  /** Only this feature's column (with the join keys and the event time). */
  feature: Name.optional(),
  limit: Limit,
});

export const ViewPreview = z.object({
  /** The view's names (join keys, "event_timestamp" for the event time, features) and their source columns. */
  columns: z.array(
    z.object({
      name: z.string(),
      sourceColumn: z.string(),
      role: z.enum(["key", "time", "feature"]),
      type: z.string(),
    }),
  ),
  rows: z.array(z.array(z.unknown())),
});

export const previewViewOp = defineOperation({
  name: "featureViews.preview",
  summary: `A feature view's source rows projected to its join keys, event time and features (at most ${SOURCE_PREVIEW_MAX_ROWS}).`,
  kind: "query",
  access: "values.read",
  input: PreviewViewInput,
  output: ViewPreview,
  run: async ({ ctx, input: { project, name, feature, limit }, project: p }) => {
    const view = await getFeatureView({ ctx, input: { project, name } });
    const fields = feature ? view.spec.fields.filter((f) => f.name === feature) : view.spec.fields;
    if (feature && fields.length === 0)
      throw new NotFoundError(`feature "${feature}" not found in feature view "${name}"`, "feature");
    const columns = [
      ...view.entities.map((e) => ({
        name: e.joinKey,
        sourceColumn: sourceColumnOf(view.source, e.joinKey),
        role: "key" as const,
      })),
      { name: "event_timestamp", sourceColumn: view.source.timestampField, role: "time" as const },
      ...fields.map((f) => ({
        name: f.name,
        sourceColumn: sourceColumnOf(view.source, f.name),
        role: "feature" as const,
      })),
    ];
    const preview = await previewSource(ctx.offline, p.name, view.source, {
      limit,
      columns: columns.map((c) => c.sourceColumn),
    });
    return {
      columns: columns.map((c, i) => ({ ...c, type: preview.columns[i]?.type ?? "unknown" })),
      rows: preview.rows,
    };
  },
});
export const previewFeatureView = previewViewOp.call;
