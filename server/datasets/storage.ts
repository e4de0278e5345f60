import "server-only";
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import type { DuckDBConnection } from "@duckdb/node-api";
import type pg from "pg";
import type { Ctx } from "../core/context";
import type { DatasetStorage } from "../core/vocabulary";
import { duckString, withDuckDb } from "../offline/duckdb";
import { offlineError } from "../offline/errors";
import { quoteIdent } from "../offline/source-query";
import { insertRows } from "../offline/table-writer";
import type { ColumnBatch, Tabular, TabularColumn } from "../serving/tabular/columns";
import { toCsvStream } from "../serving/tabular/csv";
import { toParquetStream, writeParquetFile } from "../serving/tabular/parquet";
import {
  type DatasetColumn,
  dtypeOfDuckType,
  dtypeOfPgOid,
  duckReadExpr,
  pgReadExpr,
  pgTypeOf,
  toAnswerValue,
  toPgParam,
} from "./columns";
import { pipe, produced } from "./pipe";
import { TIMESTAMP_COLUMN } from "./selection";

/**
 * Where a dataset's rows are kept, and reading them back:
 * - table: `"<schema>"."ds_<name>_<id>"` in the project's own offline schema, created and written
 *   by the project's writer role, read by its reader role; typed columns, plus `__row` (the entity
 *   row's position, the primary key) so reads come back in the entity rows' order;
 * - parquet: `datasets/<name>-<id>.parquet` in the project's file area, written by the tabular
 *   Parquet writer (server/serving/tabular/parquet.ts, a sandboxed DuckDB) as the slices come.
 * Values read back are in the historical API's forms (columns.ts), so a stored row equals the
 * API's row for the same entity row.
 */

/** Position of each row, first column of a table dataset; registry names cannot start with "_". */
const ROW = "__row";
/** Folder of Parquet datasets in each project's file area. */
const DATASET_FOLDER = "datasets";
/** Work files (downloads being converted) in each project's file area. */
const WORK_FOLDER = "tmp";
/** Rows per cursor fetch when reading a table back. */
const FETCH_ROWS = 5000;
/** How long a DuckDB converting or streaming a dataset may stay open. */
const DUCK_TIMEOUT_MS = 6 * 60 * 60 * 1000;

export interface StoredAt {
  kind: DatasetStorage;
  /** `schema.table`, or a path in the project's file area. */
  location: string;
}

/** Where a new dataset's rows will be kept. */
export async function storageFor(
  ctx: Ctx,
  project: string,
  dataset: { id: string; name: string },
  kind: DatasetStorage,
): Promise<StoredAt> {
  const tag = dataset.id.replaceAll("-", "").slice(0, 8);
  if (kind === "parquet") return { kind, location: `${DATASET_FOLDER}/${dataset.name}-${tag}.parquet` };
  const space = await ctx.offline.space(project);
  const schema = space.own[0];
  if (!schema) throw new Error(`project "${project}" has no offline schema of its own`);
  return { kind, location: `${schema}.ds_${dataset.name.slice(0, 50)}_${tag}` };
}

function tableOf(location: string): string {
  const [schema = "", table = ""] = location.split(".");
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}

/** Writes a dataset's slices in order; finish() answers its size in bytes, abort() drops the work. */
export interface DatasetWriter {
  write(values: unknown[][], rows: number, offset: number): Promise<void>;
  finish(): Promise<number>;
  abort(): Promise<void>;
}

export async function openWriter(
  ctx: Ctx,
  project: string,
  at: StoredAt,
  columns: DatasetColumn[],
  label: string,
): Promise<DatasetWriter> {
  return at.kind === "table"
    ? tableWriter(ctx, project, at.location, columns, label)
    : parquetWriter(ctx, project, at.location, columns);
}

async function tableWriter(
  ctx: Ctx,
  project: string,
  location: string,
  columns: DatasetColumn[],
  label: string,
): Promise<DatasetWriter> {
  const table = tableOf(location);
  const [schema = "", name = ""] = location.split(".");
  const writeMs = ctx.offline.timeouts.writeMs;
  const ddl = [
    `${quoteIdent(ROW)} bigint PRIMARY KEY`,
    ...columns.map((c) => `${quoteIdent(c.name)} ${pgTypeOf(c.dtype)}`),
  ];
  // A table left by an attempt that died is this dataset's own (its name carries the id).
  await ctx.offline
    .transaction(project, "write", async (client) => {
      await client.query(`DROP TABLE IF EXISTS ${table}`);
      await client.query(`CREATE TABLE ${table} (${ddl.join(", ")})`);
    })
    .catch((e: unknown) => {
      throw offlineError(e, `creating the table of ${label}`, writeMs);
    });
  return {
    async write(values, rows, offset) {
      const params = [
        Array.from({ length: rows }, (_, i) => offset + i + 1),
        ...columns.map((c, j) => (values[j] ?? []).map((v) => toPgParam(v, c.dtype))),
      ];
      await ctx.offline.transaction(project, "write", (client) =>
        insertRows(client, {
          timeoutMs: writeMs,
          label,
          target: { schema, table: name },
          columns: [ROW, ...columns.map((c) => c.name)],
          params,
          rows,
          field: "rows",
        }),
      );
    },
    async finish() {
      return ctx.offline
        .transaction(project, "probe", async (client) => {
          const res = await client.query("SELECT pg_total_relation_size($1::regclass)::int8 AS n", [table]);
          return Number(res.rows[0]?.n ?? 0);
        })
        .catch((e: unknown) => {
          throw offlineError(e, `measuring ${label}`, ctx.offline.timeouts.probeMs);
        });
    },
    // The table is dropped by removeStorage.
    async abort() {},
  };
}

function tabularColumns(columns: DatasetColumn[]): TabularColumn[] {
  return columns.map((c) => ({ name: c.name, type: c.dtype }));
}

/** The project's work folder, for the Parquet writer's temp files (created on use). */
async function workDir(ctx: Ctx, project: string): Promise<string> {
  const dir = ctx.offline.files.resolve(project, WORK_FOLDER);
  await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/**
 * The Parquet writer (server/serving/tabular/parquet.ts) pulls batches while the build pushes its
 * slices, one at a time; it keeps at most its part size in memory and writes the file atomically.
 */
async function parquetWriter(
  ctx: Ctx,
  project: string,
  location: string,
  columns: DatasetColumn[],
): Promise<DatasetWriter> {
  const target = ctx.offline.files.resolve(project, location);
  await fs.promises.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
  const batches = pipe<ColumnBatch>();
  const written = writeParquetFile(
    target,
    { columns: tabularColumns(columns), batches: batches.items },
    { tempRoot: await workDir(ctx, project), timeoutMs: DUCK_TIMEOUT_MS },
  );
  // Seen by write() and finish(); never unhandled meanwhile.
  written.catch(() => {});
  return {
    async write(values, rows) {
      if (await batches.push({ rows, values })) return;
      await written;
      // The writer stopped without an error: it cannot, but never drop a slice silently.
      throw new Error("the Parquet writer ended before the last slice");
    },
    async finish() {
      batches.end();
      await written;
      return (await fs.promises.stat(target)).size;
    },
    async abort() {
      batches.fail(new Error("the build stopped"));
      await written.catch(() => {});
    },
  };
}

/** Removes a dataset's rows (a table, or a file and its work files); nothing there is fine. */
export async function removeStorage(ctx: Ctx, project: string, at: StoredAt): Promise<void> {
  if (at.kind === "table") {
    await ctx.offline
      .transaction(project, "write", (client) => client.query(`DROP TABLE IF EXISTS ${tableOf(at.location)}`))
      .catch((e: unknown) => {
        throw offlineError(e, "dropping the dataset's table", ctx.offline.timeouts.writeMs);
      });
    return;
  }
  const files = ctx.offline.files;
  await fs.promises.rm(files.resolve(project, `${at.location}.part`), { force: true });
  await files.remove(project, at.location);
}

// ---------------------------------------------------------------------------------------------
// Reading back

/** The stored columns with their types, read from the table or the file itself. */
export async function storedColumns(ctx: Ctx, project: string, at: StoredAt): Promise<DatasetColumn[]> {
  const typed =
    at.kind === "table"
      ? await ctx.offline
          .transaction(project, "probe", async (client) => {
            const res = await client.query(`SELECT * FROM ${tableOf(at.location)} LIMIT 0`);
            return res.fields
              .filter((f) => f.name !== ROW)
              .map((f) => ({ name: f.name, dtype: dtypeOfPgOid(f.dataTypeID) }));
          })
          .catch((e: unknown) => {
            throw offlineError(e, "reading the dataset's table", ctx.offline.timeouts.probeMs);
          })
      : await onFile(ctx, project, at, async (conn, rel) => {
          const reader = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${rel}`);
          return reader
            .getRowObjects()
            .map((r) => ({ name: String(r.column_name), dtype: dtypeOfDuckType(String(r.column_type)) }));
        });
  const timeAt = typed.findIndex((c) => c.name === TIMESTAMP_COLUMN);
  return typed.map((c, i) => {
    if (!c.dtype) throw new Error(`dataset column "${c.name}" has a type no dataset writes`);
    return { name: c.name, dtype: c.dtype, role: i < timeAt ? "key" : i === timeAt ? "time" : "feature" };
  });
}

function onFile<T>(
  ctx: Ctx,
  project: string,
  at: StoredAt,
  fn: (conn: DuckDBConnection, relation: string) => Promise<T>,
  timeoutMs = ctx.offline.timeouts.scanMs,
): Promise<T> {
  const abs = ctx.offline.files.resolve(project, at.location);
  return withDuckDb({ allowedDirs: [ctx.offline.files.dirOf(project)], timeoutMs }, (conn) =>
    fn(conn, `read_parquet(${duckString(abs)})`),
  );
}

function pgSelect(columns: DatasetColumn[], location: string, tail = ""): string {
  const exprs = columns.map((c) => pgReadExpr(quoteIdent(c.name), c.dtype));
  return `SELECT ${exprs.join(", ")} FROM ${tableOf(location)} ORDER BY ${quoteIdent(ROW)}${tail}`;
}

function duckSelect(columns: DatasetColumn[], relation: string, tail = ""): string {
  const exprs = columns.map((c) => duckReadExpr(quoteIdent(c.name), c.dtype));
  return `SELECT ${exprs.join(", ")} FROM ${relation}${tail}`;
}

function answerRow(columns: DatasetColumn[], raw: unknown[]): unknown[] {
  return columns.map((c, i) => toAnswerValue(raw[i], c.dtype));
}

/** The first `limit` stored rows, in order, in the API's forms. */
export async function firstRows(
  ctx: Ctx,
  project: string,
  at: StoredAt,
  columns: DatasetColumn[],
  limit: number,
): Promise<unknown[][]> {
  const n = Math.max(0, Math.floor(limit));
  if (at.kind === "table")
    return ctx.offline
      .transaction(project, "scan", async (client) => {
        const res = await client.query({
          text: pgSelect(columns, at.location, ` LIMIT ${n}`),
          rowMode: "array",
        });
        return res.rows.map((r: unknown[]) => answerRow(columns, r));
      })
      .catch((e: unknown) => {
        throw offlineError(e, "reading the dataset", ctx.offline.timeouts.scanMs);
      });
  return onFile(ctx, project, at, async (conn, rel) => {
    const reader = await conn.runAndReadAll(duckSelect(columns, rel, ` LIMIT ${n}`));
    return reader.getRows().map((r) => answerRow(columns, r));
  });
}

/** Rows in the whole dataset and, per column, how many of them are null. */
export async function nullCounts(
  ctx: Ctx,
  project: string,
  at: StoredAt,
  names: string[],
): Promise<{ rows: number; nulls: Record<string, number> }> {
  const counts = ["count(*)", ...names.map((n) => `count(${quoteIdent(n)})`)].join(", ");
  const raw: unknown[] =
    at.kind === "table"
      ? await ctx.offline
          .transaction(project, "scan", async (client) => {
            const res = await client.query({
              text: `SELECT ${counts} FROM ${tableOf(at.location)}`,
              rowMode: "array",
            });
            return (res.rows[0] as unknown[] | undefined) ?? [];
          })
          .catch((e: unknown) => {
            throw offlineError(e, "counting the dataset's nulls", ctx.offline.timeouts.scanMs);
          })
      : await onFile(ctx, project, at, async (conn, rel) => {
          const reader = await conn.runAndReadAll(`SELECT ${counts} FROM ${rel}`);
          return reader.getRows()[0] ?? [];
        });
  const rows = Number(raw[0] ?? 0);
  return {
    rows,
    nulls: Object.fromEntries(names.map((n, i) => [n, rows - Number(raw[i + 1] ?? 0)])),
  };
}

// ---------------------------------------------------------------------------------------------
// Downloads: streamed, never the whole dataset in memory

/** The table's rows in order, FETCH_ROWS at a time, through a cursor as the project's reader. */
async function* tableBatches(
  ctx: Ctx,
  project: string,
  location: string,
  columns: DatasetColumn[],
): AsyncGenerator<ColumnBatch, void> {
  const tx = await ctx.offline.begin(project, "scan").catch((e: unknown) => {
    throw offlineError(e, "reading the dataset", ctx.offline.timeouts.scanMs);
  });
  try {
    await tx.client.query(`DECLARE quiver_dataset NO SCROLL CURSOR FOR ${pgSelect(columns, location)}`);
    for (;;) {
      const res: pg.QueryResult<unknown[]> = await tx.client.query({
        text: `FETCH FORWARD ${FETCH_ROWS} FROM quiver_dataset`,
        rowMode: "array",
      });
      if (res.rows.length > 0) yield columnar(columns, res.rows);
      if (res.rows.length < FETCH_ROWS) break;
    }
    await tx.commit();
  } finally {
    await tx.rollback();
  }
}

/** The Parquet file's rows in order, a DuckDB chunk at a time. */
function fileBatches(ctx: Ctx, project: string, at: StoredAt, columns: DatasetColumn[]) {
  return produced<ColumnBatch>((push) =>
    onFile(
      ctx,
      project,
      at,
      async (conn, rel) => {
        const result = await conn.stream(duckSelect(columns, rel));
        for (;;) {
          const chunk = await result.fetchChunk();
          if (!chunk || chunk.rowCount === 0) return;
          if (!(await push(columnar(columns, chunk.getRows())))) return;
        }
      },
      DUCK_TIMEOUT_MS,
    ),
  );
}

/** Raw rows as a batch of columns in the API's forms. */
function columnar(columns: DatasetColumn[], rows: unknown[][]): ColumnBatch {
  return {
    rows: rows.length,
    values: columns.map((c, j) => rows.map((r) => toAnswerValue(r[j], c.dtype))),
  };
}

export function datasetTable(ctx: Ctx, project: string, at: StoredAt, columns: DatasetColumn[]): Tabular {
  return {
    columns: tabularColumns(columns),
    batches:
      at.kind === "table"
        ? tableBatches(ctx, project, at.location, columns)
        : fileBatches(ctx, project, at, columns),
  };
}

/** The dataset as CSV (RFC 4180, the historical API's CSV): a header, then the rows in order. */
export function csvStream(
  ctx: Ctx,
  project: string,
  at: StoredAt,
  columns: DatasetColumn[],
): ReadableStream<Uint8Array> {
  return toCsvStream(datasetTable(ctx, project, at, columns));
}

/**
 * The dataset as one Parquet file: the stored file itself, or for a table a file the Parquet
 * writer makes in the project's work folder from the cursor's batches (removed once sent).
 */
export async function parquetStream(
  ctx: Ctx,
  project: string,
  at: StoredAt,
  columns: DatasetColumn[],
): Promise<ReadableStream<Uint8Array>> {
  if (at.kind === "parquet")
    return Readable.toWeb(
      fs.createReadStream(ctx.offline.files.resolve(project, at.location)),
    ) as ReadableStream<Uint8Array>;
  return toParquetStream(datasetTable(ctx, project, at, columns), {
    tempRoot: await workDir(ctx, project),
    timeoutMs: DUCK_TIMEOUT_MS,
  });
}
