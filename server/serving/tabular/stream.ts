import "server-only";
import type { ColumnBatch, Tabular } from "./columns";

/**
 * A byte stream pulled from an async generator: one chunk per pull, so a slow reader slows the
 * writer (nothing runs ahead). Cancelling the stream returns the generator, whose `finally`
 * blocks release what it holds (temp files, say).
 */
export function streamOf(chunks: AsyncGenerator<Uint8Array, void>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { value, done } = await chunks.next();
          if (done) controller.close();
          else controller.enqueue(value);
        } catch (e) {
          controller.error(e);
        }
      },
      async cancel() {
        await chunks.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
}

/** The batches of a table with the row number of each batch's first row. */
export async function* batchesOf(table: Tabular): AsyncGenerator<{ batch: ColumnBatch; firstRow: number }> {
  let firstRow = 0;
  for await (const batch of table.batches) {
    if (batch.values.length !== table.columns.length)
      throw new Error(`a batch has ${batch.values.length} columns, the table ${table.columns.length}`);
    yield { batch, firstRow };
    firstRow += batch.rows;
  }
}
