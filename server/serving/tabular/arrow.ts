import "server-only";
import {
  AsyncByteQueue,
  Binary,
  Bool,
  type Data,
  type DataType,
  Field,
  Float32,
  Float64,
  Int32,
  Int64,
  List,
  makeData,
  RecordBatch,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  TimestampMicrosecond,
  Utf8,
} from "apache-arrow";
import type { ScalarType, ValueType } from "../../core/vocabulary";
import { type ColumnBatch, elementOf, type Tabular, type TabularColumn, TabularValueError } from "./columns";
import { SCALAR } from "./convert";
import { batchesOf, streamOf } from "./stream";

/**
 * Tables as Arrow IPC streams (the "stream" format, application/vnd.apache.arrow.stream): the
 * schema, then one record batch per input batch, then the end-of-stream marker. Each batch is
 * converted and sent before the next is read, so memory holds one batch, never the table.
 *
 * Types: int32 Int32, int64 Int64 (from the decimal text, never through a double), float32
 * Float32, float64 Float64, string Utf8, bytes Binary (base64 decoded), bool Bool, unix_timestamp
 * Timestamp(MICROSECOND, "UTC"), list<T> List<T>; every field and list element is nullable.
 * Buffers are built directly from typed arrays: apache-arrow's timestamp builders take
 * milliseconds and would lose the microseconds.
 */

export const ARROW_STREAM_CONTENT_TYPE = "application/vnd.apache.arrow.stream";

export function arrowType(type: ValueType): DataType {
  const element = elementOf(type);
  if (element) return new List(new Field("item", arrowType(element), true));
  switch (type as ScalarType) {
    case "int32":
      return new Int32();
    case "int64":
      return new Int64();
    case "float32":
      return new Float32();
    case "float64":
      return new Float64();
    case "string":
      return new Utf8();
    case "bytes":
      return new Binary();
    case "bool":
      return new Bool();
    case "unix_timestamp":
      return new TimestampMicrosecond("UTC");
  }
}

export function arrowSchema(columns: readonly TabularColumn[]): Schema {
  return new Schema(columns.map((c) => new Field(c.name, arrowType(c.type), true)));
}

/** One input batch as a record batch of the schema; a value its type cannot take throws. */
export function arrowBatch(
  schema: Schema,
  columns: readonly TabularColumn[],
  batch: ColumnBatch,
  firstRow = 0,
) {
  const children = columns.map((column, c) => {
    const values = batch.values[c] ?? [];
    const bad = (row: number, value: unknown) =>
      new TabularValueError(column.name, firstRow + row, column.type, value);
    return columnData(column.type, values, batch.rows, bad);
  });
  const data = makeData({ type: new Struct(schema.fields), length: batch.rows, nullCount: 0, children });
  return new RecordBatch(schema, data);
}

/** The Arrow IPC stream of a table, written batch by batch as the reader pulls. */
export function toArrowStream(table: Tabular): ReadableStream<Uint8Array> {
  return streamOf(arrowChunks(table));
}

/** The same as a sequence of byte chunks: the schema, then one chunk per batch, then the end marker. */
export async function* arrowChunks(table: Tabular): AsyncGenerator<Uint8Array, void> {
  const schema = arrowSchema(table.columns);
  const sink = new Collector();
  const writer = new RecordBatchStreamWriter();
  // The writer writes into the sink synchronously; each step's bytes are taken out at once.
  writer.reset(sink, schema);
  yield sink.take();
  for await (const { batch, firstRow } of batchesOf(table)) {
    if (batch.rows === 0) continue;
    writer.write(arrowBatch(schema, table.columns, batch, firstRow));
    yield sink.take();
  }
  writer.finish();
  yield sink.take();
}

/** A byte queue that keeps what the writer writes until take() joins and empties it. */
class Collector extends AsyncByteQueue {
  private chunks: Uint8Array[] = [];
  private bytes = 0;
  override write(value: Uint8Array) {
    if (value.byteLength === 0) return;
    this.chunks.push(value);
    this.bytes += value.byteLength;
  }
  take(): Uint8Array {
    const out = new Uint8Array(this.bytes);
    let at = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, at);
      at += chunk.byteLength;
    }
    this.chunks = [];
    this.bytes = 0;
    return out;
  }
}

type Bad = (row: number, value: unknown) => TabularValueError;

/** Arrow's bit order: bit i is bit (i % 8) of byte (i / 8). */
function setBit(bits: Uint8Array, i: number) {
  bits[i >> 3] = (bits[i >> 3] ?? 0) | (1 << (i & 7));
}

/** A validity bitmap (bit set: a value) and its null count; undefined when nothing is null. */
function validity(values: readonly unknown[], rows: number) {
  let nullCount = 0;
  for (let i = 0; i < rows; i++) if (values[i] === null || values[i] === undefined) nullCount++;
  if (nullCount === 0) return { nullCount, nullBitmap: undefined };
  const nullBitmap = new Uint8Array((rows + 7) >> 3);
  for (let i = 0; i < rows; i++) if (values[i] !== null && values[i] !== undefined) setBit(nullBitmap, i);
  return { nullCount, nullBitmap };
}

function columnData(type: ValueType, values: readonly unknown[], rows: number, bad: Bad): Data {
  const { nullCount, nullBitmap } = validity(values, rows);
  const element = elementOf(type);
  const length = rows;
  if (element) {
    const valueOffsets = new Int32Array(rows + 1);
    const flat: unknown[] = [];
    for (let i = 0; i < rows; i++) {
      const v = values[i];
      if (v !== null && v !== undefined) {
        if (!Array.isArray(v)) throw bad(i, v);
        for (const x of v) flat.push(x);
      }
      valueOffsets[i + 1] = flat.length;
    }
    // An element that does not convert is reported at its list's row.
    const rowOf = (k: number) => {
      let i = 0;
      while ((valueOffsets[i + 1] ?? 0) <= k) i++;
      return i;
    };
    const child = columnData(element, flat, flat.length, (k) => bad(rowOf(k), values[rowOf(k)]));
    const arrow = arrowType(type) as List;
    return makeData({ type: arrow, length, nullCount, nullBitmap, valueOffsets, child });
  }
  const convert = SCALAR[type as ScalarType];
  const each = <T>(set: (i: number, x: T) => void) => {
    for (let i = 0; i < rows; i++) {
      const v = values[i];
      if (v === null || v === undefined) continue;
      const x = convert(v);
      if (x === undefined) throw bad(i, v);
      set(i, x as T);
    }
  };
  switch (type as ScalarType) {
    case "int32": {
      const data = new Int32Array(rows);
      each<number>((i, x) => {
        data[i] = x;
      });
      return makeData({ type: new Int32(), length, nullCount, nullBitmap, data });
    }
    case "int64":
    case "unix_timestamp": {
      const data = new BigInt64Array(rows);
      each<bigint>((i, x) => {
        data[i] = x;
      });
      return type === "int64"
        ? makeData({ type: new Int64(), length, nullCount, nullBitmap, data })
        : makeData({ type: new TimestampMicrosecond("UTC"), length, nullCount, nullBitmap, data });
    }
    case "float32": {
      const data = new Float32Array(rows);
      each<number>((i, x) => {
        data[i] = x;
      });
      return makeData({ type: new Float32(), length, nullCount, nullBitmap, data });
    }
    case "float64": {
      const data = new Float64Array(rows);
      each<number>((i, x) => {
        data[i] = x;
      });
      return makeData({ type: new Float64(), length, nullCount, nullBitmap, data });
    }
    case "bool": {
      const data = new Uint8Array((rows + 7) >> 3);
      each<boolean>((i, x) => {
        if (x) setBit(data, i);
      });
      return makeData({ type: new Bool(), length, nullCount, nullBitmap, data });
    }
    case "string":
    case "bytes": {
      const items: (Uint8Array | string | undefined)[] = new Array(rows);
      const valueOffsets = new Int32Array(rows + 1);
      let total = 0;
      each<Uint8Array | string>((i, x) => {
        items[i] = x;
      });
      for (let i = 0; i < rows; i++) {
        const x = items[i];
        total += x === undefined ? 0 : typeof x === "string" ? Buffer.byteLength(x, "utf8") : x.byteLength;
        valueOffsets[i + 1] = total;
      }
      const data = Buffer.alloc(total);
      for (let i = 0; i < rows; i++) {
        const x = items[i];
        const at = valueOffsets[i] ?? 0;
        if (typeof x === "string") data.write(x, at, "utf8");
        else if (x) data.set(x, at);
      }
      const bytes = new Uint8Array(data.buffer, data.byteOffset, total);
      return type === "string"
        ? makeData({ type: new Utf8(), length, nullCount, nullBitmap, valueOffsets, data: bytes })
        : makeData({ type: new Binary(), length, nullCount, nullBitmap, valueOffsets, data: bytes });
    }
  }
}
