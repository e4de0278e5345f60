import "server-only";
import type { DuckDBConnection } from "@duckdb/node-api";
import type pg from "pg";
import { ConflictError, InvalidError } from "../core/errors";
import { VALUE_TYPES, type ValueType } from "../core/vocabulary";
import { duckdbColumnType, postgresColumnType } from "../offline/column-types";
import { duckString } from "../offline/duckdb";
import { offlineError } from "../offline/errors";
import { fileRelation } from "../offline/file-query";
import { fileError, openFile, withProjectDuckDb } from "../offline/file-source";
import { quoteIdent, type SourceDef } from "../offline/source-query";
import { admitSource } from "../offline/space";
import type { OfflineStore } from "../offline/store";
import { checkColumnType } from "../registry/type-compatibility";
import type { SourceColumnRef } from "./analyze";
import { analyze, bindSources, parseTransformationSql, postgresBinding, SQL_FIELD } from "./sql";

/**
 * The transformation engine (docs/adr/0035-batch-transformations.md): infers what a transformation
 * outputs, and runs it into its output table in the project's offline space.
 *
 * - The SQL reads the project's sources by name; table and query sources run on Postgres as the
 *   project's reader (READ ONLY, statement timeout), file sources on the sandboxed DuckDB of the
 *   project's file area. One transformation reads one engine's sources: mixing is a 400.
 * - The rows are written as the project's writer, which owns the output table, in ONE transaction:
 *   a full refresh replaces every row, an incremental run over [start, end) replaces exactly the
 *   rows whose event time is in the window. Readers see the old rows until it commits.
 * - Values cross from reader to writer as text and are cast back to the column's type: Postgres'
 *   text forms round-trip exactly.
 */

export type TransformationEngine = "postgres" | "duckdb";

/** An output column as inferred: its name, its type (column-types.ts names), the Quiver type it reads as, its lineage. */
export interface OutputColumn {
  name: string;
  columnType: string;
  /** The Quiver value type a feature of exactly this column would have (null: none does). */
  valueType: ValueType | null;
  from: SourceColumnRef[];
}

export interface Inspection {
  engine: TransformationEngine;
  /** The SQL as checked (trimmed, without a trailing `;`). */
  sql: string;
  sources: string[];
  columns: OutputColumn[];
  /** Why the SQL may not run incrementally (empty: it may). */
  notIncremental: string[];
}

/** What a run needs of a transformation version. */
export interface RunnableSpec {
  sql: string;
  eventTimestampColumn: string;
  columns: readonly Pick<OutputColumn, "name" | "columnType">[];
}

export type RunMode = "full" | "incremental";

export interface RunRequest {
  spec: RunnableSpec;
  /** The project's data sources (every one: the SQL's names are looked up among them). */
  sources: readonly SourceDef[];
  target: { schema: string; table: string };
  mode: RunMode;
  /** [start, end) on the event time; required for incremental runs. */
  window?: { start: Date; end: Date };
  batchSize?: number;
  onProgress?: (rowsWritten: number) => Promise<void> | void;
}

const TIME_TYPES = new Set(["timestamp", "timestamptz", "date"]);
/** Column types the output table stores as text (char(1) would cut; varchar's length is not known). */
const AS_TEXT = new Set(["char", "varchar", "char[]", "varchar[]"]);

/** The type of an output table column for an inferred column type. */
export function tableColumnType(columnType: string): string {
  if (AS_TEXT.has(columnType)) return columnType.endsWith("[]") ? "text[]" : "text";
  return columnType;
}

/** The Quiver type that reads a column of this type exactly, else the first that reads it safely. */
export function valueTypeOf(columnType: string): ValueType | null {
  const exact = VALUE_TYPES.find((t) => {
    const c = checkColumnType(t, columnType);
    return c.ok && c.match === "exact";
  });
  return exact ?? VALUE_TYPES.find((t) => checkColumnType(t, columnType).ok) ?? null;
}

/** Parses the SQL, finds its sources, picks the engine, admits the sources. */
async function prepare(store: OfflineStore, project: string, sql: string, sources: readonly SourceDef[]) {
  const parsed = await parseTransformationSql(sql);
  const byName = new Map(sources.map((s) => [s.name, s]));
  const names = analyze(parsed, new Map(sources.map((s) => [s.name, null]))).sources;
  if (names.length === 0)
    throw new InvalidError(`${SQL_FIELD}: must read at least one data source of the project`, SQL_FIELD);
  const used = names.map((n) => byName.get(n) as SourceDef);
  const files = used.filter((s) => s.kind === "file");
  if (files.length > 0 && files.length < used.length) {
    const pgNames = used.filter((s) => s.kind !== "file").map((s) => `"${s.name}"`);
    throw new InvalidError(
      `${SQL_FIELD}: reads file source "${files[0]?.name}" (DuckDB) and ${pgNames.join(", ")} (Postgres); a transformation reads sources of one engine only`,
      SQL_FIELD,
    );
  }
  const engine: TransformationEngine = files.length > 0 ? "duckdb" : "postgres";
  if (engine === "duckdb" && JSON.stringify(parsed.tree).includes('"RangeFunction"'))
    throw new InvalidError(
      `${SQL_FIELD}: a transformation over file sources may not call functions in FROM`,
      SQL_FIELD,
    );
  const admitted: SourceDef[] = [];
  for (const s of used) {
    try {
      admitted.push(await admitSource(store, project, s));
    } catch (e) {
      if (e instanceof InvalidError)
        throw new InvalidError(`${SQL_FIELD}: source "${s.name}" cannot be read: ${e.message}`, SQL_FIELD);
      throw e;
    }
  }
  return { parsed, used: admitted, engine };
}

async function pgStep<T>(what: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw offlineError(e, what, timeoutMs, SQL_FIELD);
  }
}

/**
 * Infers a transformation's output: columns (names, types, lineage), engine, sources, and whether
 * it may run incrementally; checks the event-time column. Runs the SQL with no rows (LIMIT 0 /
 * DESCRIBE) in the sandbox within the probe timeout. Throws InvalidError naming the field.
 */
export async function inspectTransformation(
  store: OfflineStore,
  project: string,
  spec: { sql: string; eventTimestampColumn: string },
  sources: readonly SourceDef[],
): Promise<Inspection> {
  const { parsed, used, engine } = await prepare(store, project, spec.sql, sources);
  const sourceColumns = new Map<string, string[]>();
  let outputs: { name: string; type: string }[];
  if (engine === "postgres") {
    const timeoutMs = store.timeouts.probeMs;
    outputs = await store.transaction(project, "probe", async (client) => {
      for (const s of used) {
        const res = await pgStep(`source "${s.name}"`, timeoutMs, () =>
          client.query(`SELECT * FROM (\n${postgresBinding(s)}\n) AS s LIMIT 0`),
        );
        sourceColumns.set(
          s.name,
          res.fields.map((f) => f.name),
        );
      }
      const bound = bindSources(
        parsed.text,
        used.map((s) => ({ name: s.name, relation: postgresBinding(s) })),
      );
      const res = await pgStep("the transformation's SQL", timeoutMs, () =>
        client.query(`${bound}\nLIMIT 0`),
      );
      return res.fields.map((f) => ({ name: f.name, type: postgresColumnType(f.dataTypeID) }));
    });
  } else {
    outputs = await withProjectDuckDb(store, project, "probe", async (conn) => {
      const bindings = await fileBindings(conn, store, project, used, sourceColumns);
      const bound = bindSources(parsed.text, bindings);
      return describeDuck(conn, bound);
    });
  }

  const analysis = analyze(
    parsed,
    new Map([...sources.map((s) => [s.name, null] as const), ...sourceColumns]),
  );
  const seen = new Set<string>();
  const byPosition = analysis.complete && analysis.columns.length === outputs.length;
  const columns: OutputColumn[] = outputs.map((o, i) => {
    if (o.name === "?column?")
      throw new InvalidError(
        `${SQL_FIELD}: output column ${i + 1} has no name; give it one with AS`,
        SQL_FIELD,
      );
    if (seen.has(o.name))
      throw new InvalidError(
        `${SQL_FIELD}: two output columns are named "${o.name}"; rename one with AS`,
        SQL_FIELD,
      );
    seen.add(o.name);
    if (o.type.startsWith("oid ") || (engine === "duckdb" && !DUCK_OUTPUT_TYPES.has(o.type)))
      throw new InvalidError(
        `${SQL_FIELD}: output column "${o.name}" has type ${o.type}, which a transformation cannot store; cast it (e.g. ::text)`,
        SQL_FIELD,
      );
    const lineage = byPosition ? analysis.columns[i] : analysis.columns.find((c) => c.name === o.name);
    return { name: o.name, columnType: o.type, valueType: valueTypeOf(o.type), from: lineage?.from ?? [] };
  });
  const ts = columns.find((c) => c.name === spec.eventTimestampColumn);
  if (!ts)
    throw new InvalidError(
      `eventTimestampColumn: the SQL has no output column "${spec.eventTimestampColumn}" (it has ${columns.map((c) => c.name).join(", ")})`,
      "eventTimestampColumn",
    );
  if (!TIME_TYPES.has(ts.columnType))
    throw new InvalidError(
      `eventTimestampColumn: output column "${ts.name}" is ${ts.columnType}; it must be a date, timestamp or timestamptz`,
      "eventTimestampColumn",
    );
  return {
    engine,
    sql: parsed.text,
    sources: analysis.sources,
    columns,
    notIncremental: analysis.notIncremental,
  };
}

/** Types the DuckDB engine hands over to Postgres as text (lists and bytes have no shared text form). */
const DUCK_OUTPUT_TYPES = new Set([
  "boolean",
  "smallint",
  "integer",
  "bigint",
  "numeric",
  "real",
  "double precision",
  "text",
  "uuid",
  "json",
  "date",
  "timestamp",
  "timestamptz",
]);

async function fileBindings(
  conn: DuckDBConnection,
  store: OfflineStore,
  project: string,
  used: readonly SourceDef[],
  columnsOut?: Map<string, string[]>,
): Promise<{ name: string; relation: string }[]> {
  const bindings: { name: string; relation: string }[] = [];
  for (const s of used) {
    const file = await openFile(conn, store, project, s);
    columnsOut?.set(s.name, [...file.columns.keys()]);
    bindings.push({ name: s.name, relation: `SELECT * FROM ${fileRelation(file.format, file.abs)}` });
  }
  return bindings;
}

async function describeDuck(
  conn: DuckDBConnection,
  bound: string,
): Promise<{ name: string; type: string }[]> {
  try {
    const reader = await conn.runAndReadAll(`DESCRIBE ${bound}`);
    return reader
      .getRowObjectsJS()
      .map((r) => ({ name: String(r.column_name), type: duckdbColumnType(String(r.column_type)) }));
  } catch (e) {
    throw duckError(e);
  }
}

/** DuckDB's messages may quote file contents: only the kind of error passes. */
function duckError(e: unknown): Error {
  const err = fileError(e, { name: "(transformation)", path: "", fileFormat: "parquet" });
  return err instanceof InvalidError
    ? new InvalidError(
        `${SQL_FIELD}: the file engine refused the SQL (${err.message.replace(/^.*?file "" /, "")})`,
        SQL_FIELD,
      )
    : err;
}

/** CREATE TABLE for the output, as the writer (who then owns it: it may delete its rows). */
function createTableSql(target: { schema: string; table: string }, columns: RunnableSpec["columns"]): string {
  const cols = columns.map((c) => `${quoteIdent(c.name)} ${tableColumnType(c.columnType)}`);
  return `CREATE TABLE IF NOT EXISTS ${qualified(target)} (${cols.join(", ")})`;
}

function qualified(target: { schema: string; table: string }): string {
  return `${quoteIdent(target.schema)}.${quoteIdent(target.table)}`;
}

/** The output table's columns and types now, or null when it does not exist. */
async function tableColumns(client: pg.ClientBase, target: { schema: string; table: string }) {
  const res = await client.query<{ name: string; type: string }>(
    `select a.attname as name, format_type(a.atttypid, a.atttypmod) as type
       from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = $1 and c.relname = $2 and a.attnum > 0 and not a.attisdropped order by a.attnum`,
    [target.schema, target.table],
  );
  return res.rows.length > 0 ? res.rows : null;
}

/** format_type's names for the table column types we create. */
function formatTypeName(type: string): string {
  const base = type.endsWith("[]") ? type.slice(0, -2) : type;
  const named =
    { timestamptz: "timestamp with time zone", timestamp: "timestamp without time zone" }[base] ?? base;
  return type.endsWith("[]") ? `${named}[]` : named;
}

function sameColumns(actual: { name: string; type: string }[], spec: RunnableSpec["columns"]): boolean {
  return (
    actual.length === spec.length &&
    spec.every(
      (c, i) =>
        actual[i]?.name === c.name && actual[i]?.type === formatTypeName(tableColumnType(c.columnType)),
    )
  );
}

/**
 * Runs a transformation into its output table; answers the rows written. Incremental runs replace
 * the rows with event time in [start, end); full refreshes replace the table's rows (and recreate it
 * when a new version's columns differ). Rows with a null event time are never written (no window
 * holds them). Throws InvalidError/UnavailableError with safe messages.
 */
export async function runTransformation(
  store: OfflineStore,
  project: string,
  req: RunRequest,
): Promise<number> {
  const { spec, target, mode } = req;
  if (mode === "incremental" && !req.window)
    throw new InvalidError("an incremental run needs a window", "start");
  if (req.window && !(req.window.start.getTime() < req.window.end.getTime()))
    throw new InvalidError("start: must be before end", "start");
  const { parsed, used, engine } = await prepare(store, project, spec.sql, req.sources);
  const ts = quoteIdent(spec.eventTimestampColumn);
  const names = spec.columns.map((c) => c.name);
  const batchSize = req.batchSize ?? 5000;
  const writeMs = store.timeouts.writeMs;

  const writer = await store.begin(project, "write");
  try {
    // Prepare the table and drop the rows this run replaces; nobody sees it before COMMIT.
    const actual = await tableColumns(writer.client, target);
    if (actual && !sameColumns(actual, spec.columns)) {
      if (mode === "incremental")
        throw new InvalidError(
          `mode: output table ${target.table} has other columns than this version outputs; run a full refresh`,
          "mode",
        );
      await pgStep("output table", writeMs, () => writer.client.query(`DROP TABLE ${qualified(target)}`));
    }
    await pgStep("output table", writeMs, () => writer.client.query(createTableSql(target, spec.columns)));
    if (mode === "full")
      await pgStep("output table", writeMs, () => writer.client.query(`DELETE FROM ${qualified(target)}`));
    else
      await pgStep("output table", writeMs, () =>
        writer.client.query(
          `DELETE FROM ${qualified(target)} WHERE ${ts}::timestamptz >= $1::timestamptz AND ${ts}::timestamptz < $2::timestamptz`,
          [req.window?.start.toISOString(), req.window?.end.toISOString()],
        ),
      );

    const insert = insertStatement(target, spec.columns);
    let written = 0;
    const write = async (rows: (string | null)[][]) => {
      if (rows.length === 0) return;
      const params = names.map((_, i) => rows.map((r) => r[i] ?? null));
      await pgStep(`output table ${target.table}`, writeMs, () => writer.client.query(insert, params));
      written += rows.length;
      await req.onProgress?.(written);
    };

    const where = req.window
      ? `WHERE ${cast(engine, `q.${ts}`)} >= ${cast(engine, literal(req.window.start))} AND ${cast(engine, `q.${ts}`)} < ${cast(engine, literal(req.window.end))}`
      : `WHERE q.${ts} IS NOT NULL`;
    const select = (bound: string) =>
      `SELECT ${names.map((n) => `CAST(q.${quoteIdent(n)} AS ${engine === "duckdb" ? "VARCHAR" : "text"})`).join(", ")} FROM (\n${bound}\n) AS q ${where}`;

    if (engine === "postgres") {
      const bound = bindSources(
        parsed.text,
        used.map((s) => ({ name: s.name, relation: postgresBinding(s) })),
      );
      const reader = await store.begin(project, "scan");
      const scanMs = store.timeouts.scanMs;
      try {
        await pgStep("the transformation's SQL", scanMs, () =>
          reader.client.query(`DECLARE quiver_tx NO SCROLL CURSOR FOR ${select(bound)}`),
        );
        for (;;) {
          const res = await pgStep("the transformation's SQL", scanMs, () =>
            reader.client.query({ text: `FETCH FORWARD ${batchSize} FROM quiver_tx`, rowMode: "array" }),
          );
          await write(res.rows as (string | null)[][]);
          if (res.rows.length < batchSize) break;
        }
        await reader.commit();
      } finally {
        await reader.rollback();
      }
    } else {
      await withProjectDuckDb(store, project, "scan", async (conn) => {
        const bound = bindSources(parsed.text, await fileBindings(conn, store, project, used));
        // Streamed in DuckDB's chunks, written in batches: memory stays flat whatever the file's size.
        let batch: (string | null)[][] = [];
        try {
          const result = await conn.stream(select(bound));
          for await (const rows of result.yieldRowsJs()) {
            for (const row of rows) {
              batch.push(row as (string | null)[]);
              if (batch.length === batchSize) {
                await write(batch);
                batch = [];
              }
            }
          }
        } catch (e) {
          throw duckError(e);
        }
        await write(batch);
      });
    }
    await writer.commit();
    return written;
  } finally {
    await writer.rollback();
  }
}

function cast(engine: TransformationEngine, expr: string): string {
  return engine === "duckdb" ? `CAST(${expr} AS TIMESTAMPTZ)` : `(${expr})::timestamptz`;
}

function literal(d: Date): string {
  return duckString(d.toISOString());
}

/** INSERT … SELECT FROM unnest of one text array per column, each cast back to its column's type. */
function insertStatement(
  target: { schema: string; table: string },
  columns: RunnableSpec["columns"],
): string {
  const cols = columns.map((c) => quoteIdent(c.name));
  const arrays = columns.map((_, i) => `$${i + 1}::text[]`);
  const aliases = columns.map((_, i) => `c${i}`);
  const casts = columns.map((c, i) => `c${i}::${tableColumnType(c.columnType)}`);
  return `INSERT INTO ${qualified(target)} (${cols.join(", ")}) SELECT ${casts.join(", ")} FROM unnest(${arrays.join(", ")}) AS u(${aliases.join(", ")})`;
}

/** The first `limit` rows of the SQL's output as text, run in the sandbox within the probe timeout. */
export async function previewTransformation(
  store: OfflineStore,
  project: string,
  sql: string,
  sources: readonly SourceDef[],
  limit: number,
): Promise<{ columns: { name: string; columnType: string }[]; rows: (string | null)[][] }> {
  const { parsed, used, engine } = await prepare(store, project, sql, sources);
  if (engine === "postgres") {
    const timeoutMs = store.timeouts.probeMs;
    return store.transaction(project, "probe", async (client) => {
      const bound = bindSources(
        parsed.text,
        used.map((s) => ({ name: s.name, relation: postgresBinding(s) })),
      );
      const probe = await pgStep("the transformation's SQL", timeoutMs, () =>
        client.query(`${bound}\nLIMIT 0`),
      );
      const columns = probe.fields.map((f) => ({
        name: f.name,
        columnType: postgresColumnType(f.dataTypeID),
      }));
      const texts = columns.map((c, i) => `CAST(q.${quoteIdent(c.name)} AS text) AS c${i}`);
      const res = await pgStep("the transformation's SQL", timeoutMs, () =>
        client.query({
          text: `SELECT ${texts.join(", ") || "1"} FROM (\n${bound}\n) AS q LIMIT ${Math.floor(limit)}`,
          rowMode: "array",
        }),
      );
      return { columns, rows: res.rows as (string | null)[][] };
    });
  }
  return withProjectDuckDb(store, project, "probe", async (conn) => {
    const bound = bindSources(parsed.text, await fileBindings(conn, store, project, used));
    const described = await describeDuck(conn, bound);
    const texts = described.map((c) => `CAST(q.${quoteIdent(c.name)} AS VARCHAR)`);
    try {
      const reader = await conn.runAndReadAll(
        `SELECT ${texts.join(", ")} FROM (\n${bound}\n) AS q LIMIT ${Math.floor(limit)}`,
      );
      return {
        columns: described.map((c) => ({ name: c.name, columnType: c.type })),
        rows: reader.getRowsJS() as (string | null)[][],
      };
    } catch (e) {
      throw duckError(e);
    }
  });
}

/** Drops an output table (its transformation was deleted), as the writer that owns it. */
export async function dropOutputTable(
  store: OfflineStore,
  project: string,
  target: { schema: string; table: string },
): Promise<void> {
  await store.transaction(project, "write", async (client) => {
    await pgStep("output table", store.timeouts.writeMs, () =>
      client.query(`DROP TABLE IF EXISTS ${qualified(target)}`),
    );
  });
}

/** Creates a new transformation's output table; a table of that name already there is a 409. */
export async function createOutputTable(
  store: OfflineStore,
  project: string,
  target: { schema: string; table: string },
  columns: RunnableSpec["columns"],
): Promise<void> {
  try {
    await store.transaction(project, "write", (client) =>
      client.query(createTableSql(target, columns).replace("CREATE TABLE IF NOT EXISTS", "CREATE TABLE")),
    );
  } catch (e) {
    if ((e as { code?: string }).code === "42P07")
      throw new ConflictError(
        `name: the offline space already has a table ${target.schema}.${target.table}; a transformation's output table must be new`,
        "name",
      );
    throw offlineError(e, "output table", store.timeouts.writeMs, "name");
  }
}
