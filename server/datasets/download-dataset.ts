import "server-only";
import { z } from "zod";
import { defineOperation } from "../operations/define";
import { readyStorage } from "./preview-dataset";
import { datasetRow } from "./rows";
import { DownloadDatasetInput } from "./schemas";
import { csvStream, parquetStream, storedColumns } from "./storage";

/** A download: the file's name and type, and its bytes as a stream read while it is sent. */
export const DatasetDownload = z.object({
  fileName: z.string(),
  contentType: z.string(),
  body: z.custom<ReadableStream<Uint8Array>>((v) => v instanceof ReadableStream, "a byte stream"),
});
export type DatasetDownload = z.output<typeof DatasetDownload>;

const CONTENT_TYPES = { csv: "text/csv; charset=utf-8", parquet: "application/vnd.apache.parquet" } as const;

/**
 * A ready dataset's rows as CSV (the historical API's CSV) or Parquet, streamed: from the table
 * through a cursor as the project's reader, or from the Parquet file; never whole in memory.
 * GET /api/v1/datasets/download?project=..&name=..&format=csv|parquet, and `quiver dataset download`.
 */
export const downloadDatasetOp = defineOperation({
  name: "datasets.download",
  summary: "Download a saved dataset's rows as CSV or Parquet (streamed).",
  kind: "query",
  access: "values.read",
  input: DownloadDatasetInput,
  output: DatasetDownload,
  doors: ["rest", "cli"],
  rest: {
    path: "/api/v1/datasets/download",
    method: "GET",
    respond: (out) => {
      const d = out as DatasetDownload;
      return new Response(d.body, {
        headers: {
          "content-type": d.contentType,
          "content-disposition": `attachment; filename="${d.fileName}"`,
          "cache-control": "no-store",
        },
      });
    },
  },
  run: async ({ ctx, input, project }): Promise<DatasetDownload> => {
    const row = await datasetRow(ctx, project, input.name);
    const at = readyStorage(row);
    const columns = await storedColumns(ctx, project.name, at);
    const body =
      input.format === "csv"
        ? csvStream(ctx, project.name, at, columns)
        : await parquetStream(ctx, project.name, at, columns);
    return { fileName: `${row.name}.${input.format}`, contentType: CONTENT_TYPES[input.format], body };
  },
});
export const downloadDataset = downloadDatasetOp.call;
