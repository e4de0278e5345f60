import "server-only";
import { ARROW_STREAM_CONTENT_TYPE, toArrowStream } from "./arrow";
import type { Tabular } from "./columns";
import { CSV_CONTENT_TYPE, toCsvStream } from "./csv";
import { PARQUET_CONTENT_TYPE, type ParquetOptions, toParquetStream } from "./parquet";

/** The file formats a table can be streamed in, for the doors that offer a choice. */
export const TABULAR_FORMATS = ["csv", "parquet", "arrow"] as const;
export type TabularFormat = (typeof TABULAR_FORMATS)[number];

export const FORMAT_INFO: Record<TabularFormat, { contentType: string; extension: string }> = {
  csv: { contentType: CSV_CONTENT_TYPE, extension: "csv" },
  parquet: { contentType: PARQUET_CONTENT_TYPE, extension: "parquet" },
  // The IPC stream format; ".arrows" is the extension Arrow suggests for it (".arrow" is the file format).
  arrow: { contentType: ARROW_STREAM_CONTENT_TYPE, extension: "arrows" },
};

export function tabularStream(
  format: TabularFormat,
  table: Tabular,
  opts: ParquetOptions = {},
): ReadableStream<Uint8Array> {
  switch (format) {
    case "csv":
      return toCsvStream(table);
    case "parquet":
      return toParquetStream(table, opts);
    case "arrow":
      return toArrowStream(table);
  }
}

/** An attachment response streaming the table as `<baseName>.<extension>`. */
export function tabularResponse(format: TabularFormat, table: Tabular, baseName: string): Response {
  const { contentType, extension } = FORMAT_INFO[format];
  return new Response(tabularStream(format, table), {
    headers: {
      "content-type": contentType,
      "content-disposition": `attachment; filename="${baseName}.${extension}"`,
    },
  });
}
