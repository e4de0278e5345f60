import "server-only";
import type { Ctx } from "../core/context";
import { pointInTimeChunks } from "../offline/historical/engine";
import { computeOnDemand, type OnDemandColumn } from "../on-demand/online";
import type { OutColumn } from "../serving/requests";
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
  const { onDemand } = selection;
  // The on-demand inputs of every row, gathered across chunks, then computed at once.
  const inputs = new Map<string, Map<string, unknown[]>>();
  for (const [view, { features: names }] of onDemand?.inputs ?? [])
    inputs.set(view, new Map([...names].map((f) => [f, new Array<unknown>(n).fill(null)])));
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
    for (const [view, byFeature] of inputs)
      for (const [feature, column] of byFeature) {
        const got = chunk.columns.get(view)?.get(feature);
        if (got) for (let i = 0; i < chunk.rows; i++) column[chunk.offset + i] = got[i] ?? null;
      }
  }
  if (!onDemand || !selection.order)
    return [...selection.joinKeys.map((k) => slice.keys[k.name] ?? []), slice.times, ...features];
  const computed = computeOnDemand(
    onDemand,
    new Map(),
    n,
    (view, feature, row) => inputs.get(view)?.get(feature)?.[row] ?? null,
  );
  const valuesOf = new Map<OutColumn | OnDemandColumn, unknown[]>();
  selection.columns.forEach((c, j) => {
    valuesOf.set(c, features[j] ?? []);
  });
  onDemand.columns.forEach((c, j) => {
    valuesOf.set(c, computed[j]?.values ?? new Array(n).fill(null));
  });
  return [
    ...selection.joinKeys.map((k) => slice.keys[k.name] ?? []),
    slice.times,
    ...selection.order.map((c) => valuesOf.get(c) ?? new Array(n).fill(null)),
  ];
}

/** Entity columns (the selection's join keys), event_timestamp, then the features, typed. */
export function datasetColumns(selection: Selection): DatasetColumn[] {
  return [
    ...selection.joinKeys.map((k) => ({ name: k.name, dtype: k.valueType, role: "key" as const })),
    { name: TIMESTAMP_COLUMN, dtype: "unix_timestamp", role: "time" },
    ...(selection.order ?? selection.columns).map((c) => {
      const fields =
        typeof c.view === "number" ? selection.onDemand?.views[c.view]?.odv.spec.fields : c.view.spec.fields;
      const field = fields?.find((f) => f.name === c.feature);
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
