import "server-only";
import { ConflictError } from "../core/errors";
import { defineOperation } from "../operations/define";
import { type DatasetRow, datasetRow } from "./rows";
import { DatasetRef, DatasetRows, PREVIEW_ROWS } from "./schemas";
import { firstRows, nullCounts, type StoredAt, storedColumns } from "./storage";

/** Where a ready dataset's rows are; a dataset not ready has none to read (409). */
export function readyStorage(row: DatasetRow): StoredAt {
  if (row.status !== "ready" || !row.storageLocation)
    throw new ConflictError(
      `dataset "${row.name}" is ${row.status}; its rows can be read once it is ready`,
      "name",
    );
  return { kind: row.storageKind, location: row.storageLocation };
}

/**
 * A saved dataset's first PREVIEW_ROWS rows and, per feature, the share of nulls over all its
 * rows. Reading rows is reading values: consumers and up.
 */
export const previewDatasetOp = defineOperation({
  name: "datasets.preview",
  summary: "A saved dataset's first 100 rows and each feature's share of nulls over all its rows.",
  kind: "query",
  access: "values.read",
  input: DatasetRef,
  output: DatasetRows,
  run: async ({ ctx, input, project }) => {
    const row = await datasetRow(ctx, project, input.name);
    const at = readyStorage(row);
    const columns = await storedColumns(ctx, project.name, at);
    const features = columns.filter((c) => c.role === "feature").map((c) => c.name);
    const rows = await firstRows(ctx, project.name, at, columns, PREVIEW_ROWS);
    const counts = await nullCounts(ctx, project.name, at, features);
    return {
      columns: columns.map((c) => c.name),
      featureColumns: features,
      rows,
      rowCount: counts.rows,
      nullRates: Object.fromEntries(
        features.map((f) => [f, counts.rows === 0 ? 0 : (counts.nulls[f] ?? 0) / counts.rows]),
      ),
    };
  },
});
export const previewDataset = previewDatasetOp.call;
