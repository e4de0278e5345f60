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
import {
  type DatasetColumn,
  dtypeOfDuckType,
  dtypeOfPgOid,
  duckReadExpr,
  duckTypeOf,
  pgReadExpr,
  pgTypeOf,
  toAnswerValue,
  toPgParam,
} from "./columns";
import { TIMESTAMP_COLUMN } from "./selection";

/**
 * Where a dataset's rows are kept, and reading them back:
 * - table: `"<schema>"."ds_<name>_<id>"` in the project's own offline schema, created and written
 *   by the project's writer role, read by its reader role; typed columns, plus `__row` (the entity
 *   row's position, the primary key) so reads come back in the entity rows' order;
 * - parquet: `datasets/<name>-<id>.parquet` in the project's file area, written by a sandboxed
 *   DuckDB from the slices the build kept as JSON lines next to it.
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

function partsDirOf(location: string): string {
  return `${location.replace(/\.parquet$/, "")}.parts`;
}

/** Writes a dataset's slices in order; finish() answers its size in bytes. */
export interface DatasetWriter {
  write(values: unknown[][], rows: number, offset: number): Promise<void>;
  finish(): Promise<number>;
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
  };
}

/** One row as a JSON line DuckDB reads back exactly: int64 digits unquoted, the rest as JSON. */
function jsonLine(columns: DatasetColumn[], values: unknown[][], i: number): string {
  const parts = columns.map((c, j) => {
    const v = values[j]?.[i] ?? null;
    const text =
      v === null
        ? "null"
        : c.dtype === "int64"
          ? String(v)
          : c.dtype === "list<int64>" && Array.isArray(v)
            ? `[${v.map((x) => (x === null || x === undefined ? "null" : String(x))).join(",")}]`
            : JSON.stringify(v);
    return `${JSON.stringify(c.name)}:${text}`;
  });
  return `{${parts.join(",")}}\n`;
}

/** How a JSON-lines column is declared for DuckDB, and turned into its Parquet type. */
function jsonColumn(c: DatasetColumn): { read: string; expr: string } {
  const q = quoteIdent(c.name);
  switch (c.dtype) {
    case "bytes":
      return { read: "VARCHAR", expr: `from_base64(${q})` };
    case "list<bytes>":
      return { read: "VARCHAR[]", expr: `list_transform(${q}, x -> from_base64(x))` };
    case "unix_timestamp":
      return { read: "VARCHAR", expr: `CAST(${q} AS TIMESTAMPTZ)` };
    case "list<unix_timestamp>":
      return { read: "VARCHAR[]", expr: `list_transform(${q}, x -> CAST(x AS TIMESTAMPTZ))` };
    default:
      return { read: duckTypeOf(c.dtype), expr: q };
  }
}

/** Converts JSON-lines files (in order) into one Parquet file with the columns' types. */
async function jsonLinesToParquet(
  ctx: Ctx,
  project: string,
  parts: string[],
  columns: DatasetColumn[],
  target: string,
): Promise<void> {
  const area = ctx.offline.files.dirOf(project);
  const decl = columns.map((c) => `${duckString(c.name)}: ${duckString(jsonColumn(c).read)}`).join(", ");
  const exprs = columns.map((c) => `${jsonColumn(c).expr} AS ${quoteIdent(c.name)}`).join(", ");
  const temp = `${target}.part`;
  await withDuckDb({ allowedDirs: [area], timeoutMs: DUCK_TIMEOUT_MS }, async (conn) => {
    // Insertion order is kept (DuckDB's default), so the rows stay in the entity rows' order.
    await conn.run(
      `COPY (SELECT ${exprs} FROM read_json([${parts.map(duckString).join(", ")}], format = 'newline_delimited', columns = {${decl}})) TO ${duckString(temp)} (FORMAT parquet)`,
    );
  });
  await fs.promises.rename(temp, target);
}

async function parquetWriter(
  ctx: Ctx,
  project: string,
  location: string,
  columns: DatasetColumn[],
): Promise<DatasetWriter> {
  const files = ctx.offline.files;
  const target = files.resolve(project, location);
  const partsDir = files.resolve(project, partsDirOf(location));
  await fs.promises.rm(partsDir, { recursive: true, force: true });
  await fs.promises.mkdir(partsDir, { recursive: true, mode: 0o700 });
  const parts: string[] = [];
  return {
    async write(values, rows) {
      const part = path.join(partsDir, `part-${String(parts.length + 1).padStart(6, "0")}.jsonl`);
      let text = "";
      for (let i = 0; i < rows; i++) text += jsonLine(columns, values, i);
      await fs.promises.writeFile(part, text, { mode: 0o600 });
      parts.push(part);
    },
    async finish() {
      await jsonLinesToParquet(ctx, project, parts, columns, target);
      await fs.promises.rm(partsDir, { recursive: true, force: true });
      return (await fs.promises.stat(target)).size;
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
  await fs.promises.rm(files.resolve(project, partsDirOf(at.location)), { recursive: true, force: true });
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

/**
 * A byte stream fed by a producer that waits while the consumer is behind (backpressure) and
 * stops when the consumer cancels (a client that went away): push answers false then.
 */
function producedStream(
  produce: (push: (bytes: Uint8Array) => Promise<boolean>) => Promise<void>,
  onError: (e: unknown) => void,
): ReadableStream<Uint8Array> {
  let wake: (() => void) | undefined;
  let cancelled = false;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const push = async (bytes: Uint8Array) => {
          if (cancelled) return false;
          controller.enqueue(bytes);
          while (!cancelled && (controller.desiredSize ?? 0) <= 0)
            await new Promise<void>((resolve) => {
              wake = resolve;
            });
          return !cancelled;
        };
        produce(push).then(
          () => {
            if (!cancelled) controller.close();
          },
          (e: unknown) => {
            onError(e);
            if (!cancelled)
              controller.error(new Error("the download stopped: the dataset could not be read"));
          },
        );
      },
      pull() {
        wake?.();
        wake = undefined;
      },
      cancel() {
        cancelled = true;
        wake?.();
      },
    },
    { highWaterMark: 4 },
  );
}

const encoder = new TextEncoder();

/** RFC 4180, as the historical API writes it: null empty, lists as JSON, quoted when needed. */
function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text =
    typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function csvLines(columns: DatasetColumn[], rows: unknown[][]): Uint8Array {
  let text = "";
  for (const raw of rows) text += `${answerRow(columns, raw).map(csvField).join(",")}\r\n`;
  return encoder.encode(text);
}

function csvHeader(columns: DatasetColumn[]): Uint8Array {
  return encoder.encode(`${columns.map((c) => csvField(c.name)).join(",")}\r\n`);
}

/** Runs `select` as the project's reader through a cursor, handing over FETCH_ROWS rows at a time. */
async function cursorRows(
  ctx: Ctx,
  project: string,
  select: string,
  fn: (rows: unknown[][]) => Promise<boolean>,
): Promise<void> {
  const tx = await ctx.offline.begin(project, "scan");
  try {
    await tx.client.query(`DECLARE quiver_dataset NO SCROLL CURSOR FOR ${select}`);
    for (;;) {
      const res: pg.QueryResult<unknown[]> = await tx.client.query({
        text: `FETCH FORWARD ${FETCH_ROWS} FROM quiver_dataset`,
        rowMode: "array",
      });
      if (res.rows.length > 0 && !(await fn(res.rows))) return;
      if (res.rows.length < FETCH_ROWS) break;
    }
    await tx.commit();
  } finally {
    await tx.rollback();
  }
}

/** The dataset as CSV (RFC 4180, the historical API's CSV): a header, then the rows in order. */
export function csvStream(
  ctx: Ctx,
  project: string,
  at: StoredAt,
  columns: DatasetColumn[],
): ReadableStream<Uint8Array> {
  return producedStream(
    async (push) => {
      if (!(await push(csvHeader(columns)))) return;
      if (at.kind === "table") {
        await cursorRows(ctx, project, pgSelect(columns, at.location), (rows) =>
          push(csvLines(columns, rows)),
        );
        return;
      }
      await onFile(
        ctx,
        project,
        at,
        async (conn, rel) => {
          const result = await conn.stream(duckSelect(columns, rel));
          for (;;) {
            const chunk = await result.fetchChunk();
            if (!chunk || chunk.rowCount === 0) return;
            if (!(await push(csvLines(columns, chunk.getRows())))) return;
          }
        },
        DUCK_TIMEOUT_MS,
      );
    },
    (e) => ctx.log.error({ err: e, project }, "a dataset download failed"),
  );
}

/**
 * The dataset as one Parquet file: the stored file itself, or for a table a file converted in
 * the project's work folder (through JSON lines, fetched by cursor), removed once sent.
 */
export async function parquetStream(
  ctx: Ctx,
  project: string,
  at: StoredAt,
  columns: DatasetColumn[],
): Promise<ReadableStream<Uint8Array>> {
  const files = ctx.offline.files;
  if (at.kind === "parquet")
    return Readable.toWeb(
      fs.createReadStream(files.resolve(project, at.location)),
    ) as ReadableStream<Uint8Array>;
  const work = files.resolve(
    project,
    `${WORK_FOLDER}/download-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`,
  );
  await fs.promises.mkdir(work, { recursive: true, mode: 0o700 });
  const clean = () => fs.promises.rm(work, { recursive: true, force: true });
  try {
    const parts: string[] = [];
    await cursorRows(ctx, project, pgSelect(columns, at.location), async (rows) => {
      const values = columns.map((c, j) => rows.map((r) => toAnswerValue(r[j], c.dtype)));
      let text = "";
      for (let i = 0; i < rows.length; i++) text += jsonLine(columns, values, i);
      const part = path.join(work, `part-${String(parts.length + 1).padStart(6, "0")}.jsonl`);
      await fs.promises.writeFile(part, text, { mode: 0o600 });
      parts.push(part);
      return true;
    }).catch((e: unknown) => {
      throw offlineError(e, "reading the dataset", ctx.offline.timeouts.scanMs);
    });
    const target = path.join(work, "dataset.parquet");
    if (parts.length === 0) throw new Error("a ready dataset has no rows");
    await jsonLinesToParquet(ctx, project, parts, columns, target);
    const file = fs.createReadStream(target);
    file.on("close", () => void clean());
    return Readable.toWeb(file) as ReadableStream<Uint8Array>;
  } catch (e) {
    await clean();
    throw e;
  }
}
