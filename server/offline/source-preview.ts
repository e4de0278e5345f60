import "server-only";
import pg from "pg";
import { InvalidError } from "../core/errors";
import { offlineError } from "./errors";
import { quoteIdent, type SourceDef, sourceRelation } from "./source-query";
import { admitSource } from "./space";
import type { OfflineStore } from "./store";

/**
 * A look at a data source's rows and columns, for the catalog's pages: at most
 * SOURCE_PREVIEW_MAX_ROWS rows, read as the project's reader role in a READ ONLY transaction with
 * the probe timeout, after admitSource (the table in the project's space, the query through the
 * sandbox), errors mapped (errors.ts). A file source is read by the project's sandboxed DuckDB.
 */

export const SOURCE_PREVIEW_MAX_ROWS = 100;

/** A column and its type as the engine names it (Postgres' format_type; DuckDB's for a file). */
export interface SourceColumn {
  name: string;
  type: string;
}

/** Rows as arrays in column order (a query source may repeat a column name), values JSON-safe. */
export interface SourcePreview {
  columns: SourceColumn[];
  rows: unknown[][];
}

// Dates and times keep Postgres' own text (the session is UTC): no trip through the process's TZ.
// int8 and numeric too: the registry's client parses int8 as a JS number process-wide, which
// rounds beyond 2^53, and numeric has no exact JS form.
const TEXT_OIDS = new Set([20, 1700, 1082, 1083, 1114, 1184, 1266]);
const TEXT_ARRAY_OIDS = new Set([1016, 1231, 1182, 1183, 1115, 1185, 1270]);
const PREVIEW_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    TEXT_OIDS.has(oid)
      ? (v: string) => v
      : // text[]'s parser: the elements as Postgres writes them.
        pg.types.getTypeParser(
          TEXT_ARRAY_OIDS.has(oid) ? 1009 : oid,
          format,
        )) as pg.CustomTypesConfig["getTypeParser"],
};

/** A value as JSON carries it: bytes as \x hex (Postgres' text form), big integers as text. */
export function jsonSafe(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value).toString("hex")}`;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = jsonSafe(v);
    return out;
  }
  return value;
}

function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > SOURCE_PREVIEW_MAX_ROWS)
    throw new InvalidError(`limit must be an integer from 1 to ${SOURCE_PREVIEW_MAX_ROWS}`, "limit");
}

function what(source: SourceDef): string {
  return `source "${source.name}"`;
}

/**
 * The source's first `limit` rows (in whatever order the engine reads them), all its columns or
 * only `columns` (source column names, in that order).
 */
export async function previewSource(
  store: OfflineStore,
  project: string,
  source: SourceDef,
  opts: { limit: number; columns?: readonly string[] },
): Promise<SourcePreview> {
  checkLimit(opts.limit);
  if (opts.columns?.length === 0) throw new InvalidError("no columns to preview", "columns");
  if (source.kind === "file") return previewFile(store, project, source, opts);
  const admitted = await admitSource(store, project, source);
  const list = opts.columns ? opts.columns.map((c) => `src.${quoteIdent(c)}`).join(", ") : "*";
  try {
    return await store.transaction(project, "probe", async (client) => {
      const res = await client.query({
        text: `SELECT ${list} FROM ${sourceRelation(admitted)} LIMIT $1`,
        values: [opts.limit],
        rowMode: "array",
        types: PREVIEW_TYPES,
      });
      const columns = await typeNames(client, res.fields);
      return { columns, rows: (res.rows as unknown[][]).map((r) => r.map(jsonSafe)) };
    });
  } catch (e) {
    throw offlineError(e, what(source), store.timeouts.probeMs);
  }
}

/** The source's columns and their types, without reading a row (`LIMIT 0`). */
export async function sourceColumnTypes(
  store: OfflineStore,
  project: string,
  source: SourceDef,
): Promise<SourceColumn[]> {
  if (source.kind === "file") {
    const files = await import("./file-source");
    const columns = await files.describeFileSource(store, project, source);
    return [...columns].map(([name, type]) => ({ name, type }));
  }
  const admitted = await admitSource(store, project, source);
  try {
    return await store.transaction(project, "probe", async (client) => {
      const res = await client.query({ text: `SELECT * FROM ${sourceRelation(admitted)} LIMIT 0` });
      return typeNames(client, res.fields);
    });
  } catch (e) {
    throw offlineError(e, what(source), store.timeouts.probeMs);
  }
}

/** Postgres' own names of the result's column types (`numeric(10,2)`, `timestamp with time zone`). */
async function typeNames(client: pg.PoolClient, fields: readonly pg.FieldDef[]): Promise<SourceColumn[]> {
  if (fields.length === 0) return [];
  const { rows } = await client.query<{ type: string }>(
    `SELECT format_type(t.oid, NULLIF(t.mod, -1)) AS type
       FROM unnest($1::oid[], $2::int4[]) WITH ORDINALITY AS t(oid, mod, i) ORDER BY t.i`,
    [fields.map((f) => f.dataTypeID), fields.map((f) => f.dataTypeModifier)],
  );
  return fields.map((f, i) => ({ name: f.name, type: rows[i]?.type ?? "unknown" }));
}

async function previewFile(
  store: OfflineStore,
  project: string,
  source: SourceDef,
  opts: { limit: number; columns?: readonly string[] },
): Promise<SourcePreview> {
  const files = await import("./file-source");
  const { fileRelation } = await import("./file-query");
  return files.withProjectDuckDb(store, project, "probe", async (conn) => {
    const file = await files.openFile(conn, store, project, source);
    const names = opts.columns ?? [...file.columns.keys()];
    for (const c of names)
      if (!file.columns.has(c)) throw new InvalidError(`${what(source)} has no column "${c}"`, "columns");
    const list = names.map(quoteIdent).join(", ");
    try {
      const reader = await conn.runAndReadAll(
        `SELECT ${list} FROM ${fileRelation(file.format, file.abs)} LIMIT ${opts.limit}`,
      );
      return {
        columns: names.map((name) => ({ name, type: file.columns.get(name) ?? "unknown" })),
        rows: reader.getRowsJS().map((r) => r.map(jsonSafe)),
      };
    } catch (e) {
      throw files.fileError(e, source);
    }
  });
}
