import "server-only";

/**
 * A columnar answer ({metadata.feature_names, results[i].values}) as CSV (RFC 4180): a header,
 * then one line per row, streamed in chunks so a large answer is never one string. Null is an
 * empty field; lists and objects are their JSON; a field with a comma, quote or line break is
 * quoted with its quotes doubled.
 */
export function toCsvStream(
  answer: { metadata: { feature_names: string[] }; results: { values: unknown[] }[] },
  rowsPerChunk = 2000,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const columns = answer.results.map((r) => r.values);
  const rows = columns[0]?.length ?? 0;
  let next = -1;
  return new ReadableStream({
    pull(controller) {
      if (next === -1) {
        controller.enqueue(encoder.encode(`${answer.metadata.feature_names.map(csvField).join(",")}\r\n`));
        next = 0;
        return;
      }
      if (next >= rows) {
        controller.close();
        return;
      }
      const end = Math.min(rows, next + rowsPerChunk);
      let text = "";
      for (let i = next; i < end; i++) text += `${columns.map((c) => csvField(c[i])).join(",")}\r\n`;
      next = end;
      controller.enqueue(encoder.encode(text));
    },
  });
}

export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text =
    typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
