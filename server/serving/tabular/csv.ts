import "server-only";
import type { Tabular } from "./columns";
import { batchesOf, streamOf } from "./stream";

/**
 * Tables as CSV (RFC 4180): a header, then one line per row, streamed in chunks of `rowsPerChunk`
 * rows so a large table is never one string. Values are written in their JSON form: null is an
 * empty field; lists and objects are their JSON; a field with a comma, quote or line break is
 * quoted with its quotes doubled.
 */

export const CSV_CONTENT_TYPE = "text/csv; charset=utf-8";

export function toCsvStream(table: Tabular, rowsPerChunk = 2000): ReadableStream<Uint8Array> {
  return streamOf(csvChunks(table, rowsPerChunk));
}

export async function* csvChunks(table: Tabular, rowsPerChunk = 2000): AsyncGenerator<Uint8Array, void> {
  const encoder = new TextEncoder();
  yield encoder.encode(`${table.columns.map((c) => csvField(c.name)).join(",")}\r\n`);
  for await (const { batch } of batchesOf(table)) {
    for (let next = 0; next < batch.rows; ) {
      const end = Math.min(batch.rows, next + rowsPerChunk);
      let text = "";
      for (let i = next; i < end; i++) text += `${batch.values.map((c) => csvField(c[i])).join(",")}\r\n`;
      next = end;
      yield encoder.encode(text);
    }
  }
}

export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text =
    typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
