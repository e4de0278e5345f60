import "server-only";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  BIGINT,
  BLOB,
  BOOLEAN,
  blobValue,
  DOUBLE,
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBDataChunk,
  type DuckDBType,
  type DuckDBValue,
  FLOAT,
  INTEGER,
  LIST,
  listValue,
  TIMESTAMPTZ,
  timestampTZValue,
  VARCHAR,
} from "@duckdb/node-api";
import type { ScalarType, ValueType } from "../../core/vocabulary";
import { duckString, withDuckDb } from "../../offline/duckdb";
import { type ColumnBatch, elementOf, type Tabular, type TabularColumn, TabularValueError } from "./columns";
import { SCALAR } from "./convert";
import { batchesOf, streamOf } from "./stream";

/**
 * Tables as Parquet files, written by a sandboxed in-memory DuckDB (server/offline/duckdb.ts)
 * that may touch only a fresh temp folder: a typed table, each batch appended as DuckDB data
 * chunks (typed vectors filled from the converted values), then `COPY ... TO (FORMAT parquet)`.
 *
 * Why this way: Quiver has no Parquet encoder of its own and DuckDB is already its file engine.
 * Appending data chunks was measured against the row appender and against a CSV written to the
 * temp folder and read back by COPY FROM (docs/adr/0022 "Output formats" has the figures): it is
 * the fastest of the three and exact by construction (bigint into BIGINT, microseconds into
 * TIMESTAMPTZ), where text would have to round-trip through DuckDB's parsers. DuckDB cannot read
 * an Arrow stream without an extension, which the sandbox never loads.
 *
 * Memory stays bounded for any row count: every `rowsPerPart` rows the table is copied to a part
 * file and emptied; several parts are then merged by one more COPY reading them in order (DuckDB
 * streams it), so a table is held at most `rowsPerPart` rows at a time.
 *
 * Types: int32 INT32, int64 INT64, float32 FLOAT, float64 DOUBLE, string BYTE_ARRAY (UTF8),
 * bytes BYTE_ARRAY, bool BOOLEAN, unix_timestamp INT64 TIMESTAMP(MICROS, adjusted to UTC), list<T>
 * a LIST of T; all optional (nullable). Rows keep their order.
 */

export const PARQUET_CONTENT_TYPE = "application/vnd.apache.parquet";

export interface ParquetOptions {
  /** Where the temp folder is made (default: the OS temp folder). */
  tempRoot?: string;
  /** Deadline of the DuckDB work, appends and COPYs together (default 10 minutes). */
  timeoutMs?: number;
  /** Rows held in DuckDB before they go to a part file (default 500,000). */
  rowsPerPart?: number;
  /** Parquet compression (default snappy, which every reader has). */
  compression?: "snappy" | "zstd" | "uncompressed";
  /** DuckDB's memory limit for the work (default 1GB). */
  memoryLimit?: string;
}

const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;
const DEFAULT_ROWS_PER_PART = 500_000;
/** Bytes per chunk when a written file is streamed. */
const READ_CHUNK = 1024 * 1024;

export function duckType(type: ValueType): DuckDBType {
  const element = elementOf(type);
  if (element) return LIST(duckType(element));
  switch (type as ScalarType) {
    case "int32":
      return INTEGER;
    case "int64":
      return BIGINT;
    case "float32":
      return FLOAT;
    case "float64":
      return DOUBLE;
    case "string":
      return VARCHAR;
    case "bytes":
      return BLOB;
    case "bool":
      return BOOLEAN;
    case "unix_timestamp":
      return TIMESTAMPTZ;
  }
}

const SQL_TYPE: Record<ScalarType, string> = {
  int32: "INTEGER",
  int64: "BIGINT",
  float32: "FLOAT",
  float64: "DOUBLE",
  string: "VARCHAR",
  bytes: "BLOB",
  bool: "BOOLEAN",
  unix_timestamp: "TIMESTAMPTZ",
};

function sqlType(type: ValueType): string {
  const element = elementOf(type);
  return element ? `${SQL_TYPE[element]}[]` : SQL_TYPE[type as ScalarType];
}

function quoteIdent(name: string): string {
  if (name.includes("\u0000")) throw new Error("a column name cannot hold NUL");
  return `"${name.replaceAll('"', '""')}"`;
}

/** Writes a table to a Parquet file at `target` (replaced atomically); returns the row count. */
export async function writeParquetFile(target: string, table: Tabular, opts: ParquetOptions = {}) {
  const dir = await fs.promises.mkdtemp(path.join(opts.tempRoot ?? os.tmpdir(), "quiver-parquet-"));
  try {
    const { file, rows } = await writeParquet(dir, table, opts);
    const part = `${target}.part`;
    try {
      await fs.promises.rename(file, part);
    } catch (e) {
      // Another file system: copy instead.
      if ((e as NodeJS.ErrnoException).code !== "EXDEV") throw e;
      await fs.promises.copyFile(file, part);
    }
    await fs.promises.rename(part, target);
    return rows;
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}

/**
 * A table as a stream of Parquet bytes. The file is written (to a temp folder) when the stream is
 * first read, then streamed; the folder is removed when the stream ends, fails or is cancelled.
 */
export function toParquetStream(table: Tabular, opts: ParquetOptions = {}): ReadableStream<Uint8Array> {
  return streamOf(parquetChunks(table, opts));
}

export async function* parquetChunks(
  table: Tabular,
  opts: ParquetOptions = {},
): AsyncGenerator<Uint8Array, void> {
  const dir = await fs.promises.mkdtemp(path.join(opts.tempRoot ?? os.tmpdir(), "quiver-parquet-"));
  try {
    const { file } = await writeParquet(dir, table, opts);
    // A temporary file of this request: nothing for the bundler to trace (it would trace the tree).
    const handle = await fs.promises.open(/* turbopackIgnore: true */ file, "r");
    try {
      for (;;) {
        const buffer = new Uint8Array(READ_CHUNK);
        const { bytesRead } = await handle.read(buffer, 0, READ_CHUNK, null);
        if (bytesRead === 0) return;
        yield buffer.subarray(0, bytesRead);
      }
    } finally {
      await handle.close();
    }
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}

/** Writes the table as `dir/table.parquet` with a DuckDB that may touch only `dir`. */
async function writeParquet(dir: string, table: Tabular, opts: ParquetOptions) {
  const { columns } = table;
  const rowsPerPart = opts.rowsPerPart ?? DEFAULT_ROWS_PER_PART;
  const compression = opts.compression ?? "snappy";
  const file = path.join(dir, "table.parquet");
  const types = columns.map((c) => duckType(c.type));
  const create = `CREATE TABLE t (${columns.map((c, i) => `c${i} ${sqlType(c.type)}`).join(", ")})`;
  // The file's column names are given here, so the table's own can be plain.
  const named = columns.map((c, i) => `c${i} AS ${quoteIdent(c.name)}`).join(", ");
  const copy = (conn: DuckDBConnection, select: string, to: string) =>
    conn.run(`COPY (${select}) TO ${duckString(to)} (FORMAT parquet, COMPRESSION ${compression})`);

  let rows = 0;
  await withDuckDb(
    { allowedDirs: [dir], timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, memoryLimit: opts.memoryLimit },
    async (conn) => {
      const parts: string[] = [];
      let held = 0;
      let appender: DuckDBAppender | undefined;
      const open = async () => {
        await conn.run(create);
        appender = await conn.createAppender("t");
        return appender;
      };
      const spill = async () => {
        appender?.closeSync();
        appender = undefined;
        const part = path.join(dir, `part-${parts.length}.parquet`);
        await copy(conn, `SELECT ${named || "*"} FROM t`, part);
        await conn.run("DROP TABLE t");
        parts.push(part);
        held = 0;
      };
      try {
        let current = await open();
        for await (const { batch, firstRow } of batchesOf(table)) {
          for (let start = 0; start < batch.rows; ) {
            const take = Math.min(batch.rows - start, CHUNK_ROWS, rowsPerPart - held);
            current.appendDataChunk(dataChunk(columns, types, batch, start, take, firstRow));
            start += take;
            held += take;
            rows += take;
            if (held >= rowsPerPart) {
              await spill();
              current = await open();
            }
          }
          // Appending is synchronous: let other requests run between batches.
          await new Promise((resolve) => setImmediate(resolve));
        }
        if (parts.length === 0) {
          current.closeSync();
          appender = undefined;
          await copy(conn, `SELECT ${named || "*"} FROM t`, file);
          return;
        }
        if (held > 0) await spill();
        else {
          current.closeSync();
          appender = undefined;
        }
        if (parts.length === 1 && parts[0]) await fs.promises.rename(parts[0], file);
        // One reader over the parts in their order: insertion order is kept, memory is not the table's.
        else await copy(conn, `SELECT * FROM read_parquet([${parts.map(duckString).join(", ")}])`, file);
      } finally {
        appender?.closeSync();
      }
    },
  );
  return { file, rows };
}

/** DuckDB's vector size: a data chunk holds at most this many rows. */
const CHUNK_ROWS = 2048;

function dataChunk(
  columns: readonly TabularColumn[],
  types: readonly DuckDBType[],
  batch: ColumnBatch,
  start: number,
  rows: number,
  firstRow: number,
): DuckDBDataChunk {
  const chunk = DuckDBDataChunk.create(types, rows);
  chunk.setColumns(
    columns.map((column, c) => {
      const values = batch.values[c] ?? [];
      const out: (DuckDBValue | null)[] = new Array(rows);
      const element = elementOf(column.type);
      const convert = duckValue(element ?? (column.type as ScalarType));
      for (let i = 0; i < rows; i++) {
        const v = values[start + i];
        if (v === null || v === undefined) {
          out[i] = null;
          continue;
        }
        const x = element ? (Array.isArray(v) ? listOf(v, convert) : undefined) : convert(v);
        if (x === undefined) throw new TabularValueError(column.name, firstRow + start + i, column.type, v);
        out[i] = x;
      }
      return out as DuckDBValue[];
    }),
  );
  return chunk;
}

function listOf(items: readonly unknown[], convert: (v: unknown) => DuckDBValue | undefined) {
  const out: DuckDBValue[] = new Array(items.length);
  for (let k = 0; k < items.length; k++) {
    const v = items[k];
    if (v === null || v === undefined) out[k] = null;
    else {
      const x = convert(v);
      if (x === undefined) return undefined;
      out[k] = x;
    }
  }
  return listValue(out);
}

/** A JSON-form value as the DuckDB value its vector takes. */
function duckValue(type: ScalarType): (v: unknown) => DuckDBValue | undefined {
  const convert = SCALAR[type];
  switch (type) {
    case "bytes":
      return (v) => {
        const x = convert(v) as Uint8Array | undefined;
        return x === undefined ? undefined : blobValue(x);
      };
    case "unix_timestamp":
      return (v) => {
        const x = convert(v) as bigint | undefined;
        return x === undefined ? undefined : timestampTZValue(x);
      };
    default:
      return convert as (v: unknown) => DuckDBValue | undefined;
  }
}
