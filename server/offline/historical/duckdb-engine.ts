import "server-only";
import { BIGINT, type DuckDBAppender, type DuckDBConnection } from "@duckdb/node-api";
import { InvalidError } from "../../core/errors";
import type { JoinKeyType } from "../../registry/schemas";
import { csvTextColumns, fileRelation, withTextColumns } from "../file-query";
import {
  fileError,
  historicalFileValue,
  instantMicros,
  type OpenFile,
  openFile,
  withProjectDuckDb,
} from "../file-source";
import { sourceColumnOf } from "../source-query";
import type { OfflineStore } from "../store";
import { duckPointInTimeQuery, ENTITY_TABLE, entityTableDdl } from "./duckdb-query";
import type { PitView } from "./query";
import type { PitColumns, PitEngine, PitRequest } from "./types";

/**
 * The DuckDB engine of point-in-time retrieval, for file sources (Parquet, CSV): one sandboxed
 * in-memory DuckDB per request (duckdb.ts) that may read only the project's folder of the file area,
 * under the scan timeout. The entity rows go into one table through DuckDB's appender (about 6x
 * faster than list parameters unnested, for 100,000 rows: 50 ms against 300 ms), then each view is
 * one ASOF join over its file (duckdb-query.ts), answered in request order and converted exactly as
 * the Postgres engine converts its rows.
 */
export function duckdbEngine(store: OfflineStore): PitEngine {
  return {
    name: "duckdb",
    run: (project, views, req) => duckPointInTime(store, project, views, req),
  };
}

async function duckPointInTime(
  store: OfflineStore,
  project: string,
  views: readonly PitView[],
  req: PitRequest,
): Promise<PitColumns> {
  const times = req.times.map((t, i) => instantMicros(t, `entities.event_timestamp.${i}`));
  // One entity table column per distinct (join key, comparison type) of the views.
  const keyColumns: { name: string; type: JoinKeyType }[] = [];
  const columnOf = (name: string, type: JoinKeyType) => {
    const comparable = (t: JoinKeyType) => (t === "int32" ? "int64" : t);
    let i = keyColumns.findIndex((k) => k.name === name && comparable(k.type) === comparable(type));
    if (i < 0) i = keyColumns.push({ name, type }) - 1;
    return i;
  };
  const entityKeys = views.map((v) => v.joinKeys.map((k) => columnOf(k.name, k.valueType)));

  // DuckDB 1.5 pushes the entity keys' min/max into the Parquet scan as a filter (join filter
  // pushdown); on a BLOB key whose min equals its max (every entity row has one key) that filter
  // wrongly drops the matching rows, so bytes keys join without it (engines.contract: "bytes key").
  const disabledOptimizers = keyColumns.some((k) => k.type === "bytes") ? ["join_filter_pushdown"] : [];
  return withProjectDuckDb(
    store,
    project,
    "scan",
    async (conn) => {
      await conn.run(entityTableDdl(keyColumns.map((k) => k.type)));
      const appender = await conn.createAppender(ENTITY_TABLE);
      try {
        appendEntities(appender, keyColumns, req, times);
        appender.flushSync();
      } finally {
        appender.closeSync();
      }
      // Views over one file (a feature service's, say) admit and describe it once.
      const opened = new Map<string, Promise<OpenFile>>();
      const open = (source: PitView["source"]) => {
        const key = `${source.fileFormat}:${source.path}`;
        let file = opened.get(key);
        if (!file) {
          file = openFile(conn, store, project, source);
          opened.set(key, file);
        }
        return file;
      };
      const out: PitColumns = new Map();
      for (const [i, view] of views.entries())
        out.set(
          view.name,
          await runView(conn, await open(view.source), view, entityKeys[i] ?? [], times.length),
        );
      return out;
    },
    { disabledOptimizers },
  );
}

function appendEntities(
  appender: DuckDBAppender,
  keyColumns: readonly { name: string; type: JoinKeyType }[],
  req: PitRequest,
  times: readonly bigint[],
): void {
  const converted = keyColumns.map((k) => (req.keys[k.name] ?? []).map((v, row) => keyValue(v, k, row)));
  times.forEach((t, row) => {
    appender.appendBigInt(BigInt(row + 1));
    appender.appendBigInt(t);
    for (const [i, k] of keyColumns.entries()) {
      const v = converted[i]?.[row];
      if (v === null || v === undefined) appender.appendNull();
      else if (k.type === "string") appender.appendVarchar(v as string);
      else if (k.type === "bytes") appender.appendBlob(v as Uint8Array);
      else appender.appendBigInt(v as bigint);
    }
    appender.endRow();
  });
}

/** An entity row's key as the entity table holds it (bytes arrive base64, as the Postgres engine takes them). */
function keyValue(
  value: unknown,
  key: { name: string; type: JoinKeyType },
  row: number,
): bigint | string | Uint8Array | null {
  if (value === null || value === undefined) return null;
  if (key.type === "string") return String(value);
  if (key.type === "bytes") return Buffer.isBuffer(value) ? value : Buffer.from(String(value), "base64");
  try {
    return BigInt(typeof value === "number" || typeof value === "bigint" ? value : String(value));
  } catch {
    throw new InvalidError(`entities.${key.name}.${row}: not an integer`, `entities.${key.name}`);
  }
}

async function runView(
  conn: DuckDBConnection,
  file: OpenFile,
  view: PitView,
  entityKeys: readonly number[],
  rows: number,
): Promise<Map<string, unknown[]>> {
  const text =
    file.format === "csv"
      ? csvTextColumns(view.source, { joinKeys: view.joinKeys, fields: view.fields }, file.columns)
      : [];
  const { source } = view;
  const needed = [
    { column: source.timestampField, what: "timestamp column" },
    ...(source.createdTimestampField
      ? [{ column: source.createdTimestampField, what: "created timestamp column" }]
      : []),
    ...[...view.joinKeys, ...view.fields].map((c) => ({
      column: sourceColumnOf(source, c.name),
      what: `column for "${c.name}"`,
    })),
  ];
  const missing = needed.find((n) => !file.columns.has(n.column));
  if (missing)
    throw new InvalidError(
      `source "${source.name}": file ${JSON.stringify(source.path ?? "")} has no ${missing.what} "${missing.column}"`,
      "source",
    );
  const sql = duckPointInTimeQuery(
    view,
    withTextColumns(file.columns, text),
    fileRelation(file.format, file.abs, text),
    entityKeys,
  );
  let columns: unknown[][];
  try {
    const reader =
      view.ttlSeconds > 0
        ? await conn.runAndReadAll(sql, [BigInt(view.ttlSeconds) * 1_000_000n], [BIGINT])
        : await conn.runAndReadAll(sql);
    columns = reader.getColumnsJS();
  } catch (e) {
    throw fileError(e, source);
  }
  const [ords = [], ...values] = columns;
  if (ords.length !== rows) throw new Error(`point-in-time answer has ${ords.length} rows for ${rows}`);
  ords.forEach((ord, i) => {
    if (Number(ord) !== i + 1) throw new Error(`point-in-time rows out of order at ${i}`);
  });
  return new Map(
    view.fields.map((f, j) => [
      f.name,
      (values[j] ?? []).map((v) => historicalFileValue(v, f.dtype, f.name)),
    ]),
  );
}
