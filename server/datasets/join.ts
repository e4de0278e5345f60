import "server-only";
import type { Ctx } from "../core/context";
import { pointInTimeChunks } from "../offline/historical/engine";
import type { DatasetColumn } from "./columns";
import type { EntitySlice } from "./entity-source";
import { type Selection, TIMESTAMP_COLUMN } from "./selection";

/**
 * One slice of entity rows joined point in time (the engine of the historical API), as columns in
 * dataset order: the join keys, event_timestamp, then each feature.
 */
export async function joinSlice(
  ctx: Ctx,
  project: string,
  selection: Selection,
  slice: EntitySlice,
): Promise<unknown[][]> {
  const n = slice.times.length;
  const features = selection.columns.map(() => new Array<unknown>(n).fill(null));
  for await (const chunk of pointInTimeChunks(
    ctx.offline,
    project,
    selection.pitViews,
    slice,
    Math.max(1, n),
  )) {
    selection.columns.forEach((c, j) => {
      const got = chunk.columns.get(c.view.name)?.get(c.feature);
      const column = features[j];
      if (got && column) for (let i = 0; i < chunk.rows; i++) column[chunk.offset + i] = got[i] ?? null;
    });
  }
  return [...selection.joinKeys.map((k) => slice.keys[k.name] ?? []), slice.times, ...features];
}

/** Entity columns (the selection's join keys), event_timestamp, then the features, typed. */
export function datasetColumns(selection: Selection): DatasetColumn[] {
  return [
    ...selection.joinKeys.map((k) => ({ name: k.name, dtype: k.valueType, role: "key" as const })),
    { name: TIMESTAMP_COLUMN, dtype: "unix_timestamp", role: "time" },
    ...selection.columns.map((c) => {
      const field = c.view.spec.fields.find((f) => f.name === c.feature);
      if (!field) throw new Error(`feature "${c.label}" vanished from its view`);
      return { name: c.name, dtype: field.dtype, role: "feature" as const };
    }),
  ];
}

/** Share of nulls per feature column of columnar values (0 for no rows). */
export function nullRatesOf(
  columns: DatasetColumn[],
  values: unknown[][],
  rows: number,
): Record<string, number> {
  return Object.fromEntries(
    columns.flatMap((c, j) =>
      c.role === "feature"
        ? [
            [
              c.name,
              rows === 0 ? 0 : (values[j] ?? []).filter((v) => v === null || v === undefined).length / rows,
            ],
          ]
        : [],
    ),
  );
}

/** Columnar values as rows. */
export function toRows(values: unknown[][], rows: number): unknown[][] {
  return Array.from({ length: rows }, (_, i) => values.map((column) => column[i] ?? null));
}
