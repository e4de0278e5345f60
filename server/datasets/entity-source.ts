import "server-only";
import fs from "node:fs";
import { BIGINT, type DuckDBConnection } from "@duckdb/node-api";
import type pg from "pg";
import type { z } from "zod";
import type { Ctx } from "../core/context";
import { InvalidError, isDomainError } from "../core/errors";
import type { DatasetEntitySourceSpec } from "../db/schema";
import { duckString, withDuckDb } from "../offline/duckdb";
import { OfflineTimeoutError, offlineError } from "../offline/errors";
import {
  csvTextColumns,
  fileRelation as fileSourceRelation,
  keyJoinExpr,
  microsExpr,
  withTextColumns,
} from "../offline/file-query";
import {
  fileError as fileSourceError,
  instantMicros,
  microsToIso,
  openFile,
  withProjectDuckDb,
} from "../offline/file-source";
import { checkQuerySource } from "../offline/sandbox";
import { quoteIdent, type SourceDef, sourceColumnOf, sourceRelation } from "../offline/source-query";
import { admitSource, querySourcesOff } from "../offline/space";
import type { JoinKeyType } from "../registry/schemas";
import { parseInstant } from "../serving/get-historical-features";
import { EXPECTED, parseJoinKey } from "../serving/values";
import { findDataSource, viewsByName } from "../serving/views";
import { DUCK_INSTANT, PG_INSTANT } from "./columns";
import { type EntitySourceInput, MAX_GRID_TIMES } from "./schemas";
import { type Selection, TIMESTAMP_COLUMN } from "./selection";

/**
 * Where a dataset's entity rows come from, each kind read in slices and checked against the
 * selection (exactly its join keys and event_timestamp, as the historical API asks):
 * - upload: a CSV or Parquet file in the project's file area (uploads/), read by a sandboxed DuckDB
 *   that may open only the project's folder;
 * - query: one SELECT through the offline sandbox (server/offline/sandbox.ts), run as the
 *   project's reader role in a read-only transaction, through a cursor;
 * - grid: the distinct join keys of a view's source (rows up to `end`) times start, start + step,
 *   ..., end, built in SQL as the project's reader role; over a file source, the keys come from
 *   the sandboxed DuckDB of the project's folder and the times are made here (fileGridPlan).
 * Messages name columns and row numbers, never a value: a dataset's error is shown to viewers,
 * who may not read values.
 */

type EntitySpec = z.output<typeof EntitySourceInput>;

/** Entity rows of one slice, in the form the point-in-time engine takes. */
export interface EntitySlice {
  /** Position of the slice's first row in the whole source. */
  offset: number;
  /** Join key -> one value per row (numbers or decimal strings, strings, base64). */
  keys: Record<string, (string | number)[]>;
  /** One instant per row, ISO 8601 with its offset (microseconds kept). */
  times: string[];
}

/** A slice handler; answering false stops the reading. */
export type OnSlice = (slice: EntitySlice) => Promise<boolean>;

/** How long a DuckDB reading an uploaded file may stay open (it reads one bounded local file). */
const FILE_READ_TIMEOUT_MS = 6 * 60 * 60 * 1000;

/**
 * Checks an entity source up front (its columns, its SQL, its view, its times) and answers the
 * spec to store. `field` prefixes the fields errors name ("entitySource").
 */
export async function checkEntitySource(
  ctx: Ctx,
  project: { id: string; name: string },
  spec: EntitySpec,
  selection: Selection,
  field = "entitySource",
): Promise<DatasetEntitySourceSpec> {
  const plan = await planOf(ctx, project, spec, selection, field);
  await plan.check();
  return plan.spec;
}

/** How many entity rows the source gives (the grid: entities x times). */
export async function countEntityRows(
  ctx: Ctx,
  project: { id: string; name: string },
  spec: EntitySpec,
  selection: Selection,
  field = "entitySource",
): Promise<number> {
  return (await planOf(ctx, project, spec, selection, field)).count();
}

/**
 * Reads the entity rows in slices of `sliceRows` (at most `limit` rows in all), each parsed and
 * handed to onSlice in order. Answers the number of rows read.
 */
export async function readEntitySlices(
  ctx: Ctx,
  project: { id: string; name: string },
  spec: EntitySpec,
  selection: Selection,
  opts: { sliceRows: number; limit?: number; field?: string },
  onSlice: OnSlice,
): Promise<number> {
  const field = opts.field ?? "entitySource";
  const plan = await planOf(ctx, project, spec, selection, field);
  await plan.check();
  const keys = selection.joinKeys;
  let offset = 0;
  let stopped = false;
  await plan.read(opts.sliceRows, opts.limit, async (rows) => {
    if (stopped || rows.length === 0) return !stopped;
    const slice = parseSlice(rows, keys, offset);
    offset += rows.length;
    if ((await onSlice(slice)) === false) stopped = true;
    return !stopped;
  });
  return offset;
}

/** One raw row: the join keys in selection order, then the time, as text (null when empty). */
type RawRow = (string | null)[];

interface Plan {
  spec: DatasetEntitySourceSpec;
  check(): Promise<void>;
  count(): Promise<number>;
  /** Calls fn with batches of at most `size` raw rows until done or fn answers false. */
  read(size: number, limit: number | undefined, fn: (rows: RawRow[]) => Promise<boolean>): Promise<void>;
}

async function planOf(
  ctx: Ctx,
  project: { id: string; name: string },
  spec: EntitySpec,
  selection: Selection,
  field: string,
): Promise<Plan> {
  switch (spec.kind) {
    case "upload":
      return uploadPlan(ctx, project.name, spec, selection, field);
    case "query":
      return queryPlan(ctx, project.name, spec, selection, field);
    case "grid":
      return gridPlan(ctx, project, spec, selection, field);
  }
}

/** The entity columns a selection needs, in order. */
function neededColumns(selection: Selection): string[] {
  return [...selection.joinKeys.map((k) => k.name), TIMESTAMP_COLUMN];
}

/** The source's columns must be exactly the selection's join keys and event_timestamp. */
export function checkColumns(columns: readonly string[], selection: Selection, field: string): void {
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c)) throw new InvalidError(`${field}: column "${c}" appears twice`, field);
    seen.add(c);
  }
  if (!seen.has(TIMESTAMP_COLUMN))
    throw new InvalidError(
      `${field}: has no "${TIMESTAMP_COLUMN}" column (the time as of which each row's features are read)`,
      field,
    );
  for (const k of selection.joinKeys)
    if (!seen.has(k.name)) {
      const view = selection.views.find((v) => v.joinKeys.some((j) => j.name === k.name));
      throw new InvalidError(
        `${field}: join key "${k.name}" is missing; feature view "${view?.name ?? "?"}" needs it`,
        field,
      );
    }
  const wanted = new Set(neededColumns(selection));
  for (const c of columns)
    if (!wanted.has(c))
      throw new InvalidError(
        `${field}: column "${c}" is not a join key of the selected feature views (they use ${selection.joinKeys
          .map((k) => `"${k.name}"`)
          .join(", ")}) nor "${TIMESTAMP_COLUMN}"`,
        field,
      );
}

function parseSlice(rows: RawRow[], joinKeys: Selection["joinKeys"], offset: number): EntitySlice {
  const keys: EntitySlice["keys"] = Object.fromEntries(joinKeys.map((k) => [k.name, new Array(rows.length)]));
  const times = new Array<string>(rows.length);
  rows.forEach((row, i) => {
    const n = offset + i + 1;
    joinKeys.forEach((k, c) => {
      const raw = row[c];
      if (raw === null || raw === undefined || raw === "")
        throw new InvalidError(`entity row ${n}: join key "${k.name}" is empty`, "entitySource");
      const key = parseJoinKey(raw, k.valueType);
      if (key === undefined)
        throw new InvalidError(
          `entity row ${n}: join key "${k.name}" is not ${EXPECTED[k.valueType]}`,
          "entitySource",
        );
      (keys[k.name] as (string | number)[])[i] = key;
    });
    const time = row[joinKeys.length];
    try {
      times[i] = parseInstant(time === null || time === undefined ? null : time, offset + i);
    } catch {
      throw new InvalidError(
        `entity row ${n}: "${TIMESTAMP_COLUMN}" is ${time ? "not a time" : "empty"}; use ISO 8601 like 2026-01-31T12:00:00Z (no offset means UTC)`,
        "entitySource",
      );
    }
  });
  return { offset, keys, times };
}

// ---------------------------------------------------------------------------------------------
// upload: a file in the project's file area, read by DuckDB

/** Uploaded entity files live here, inside each project's folder. */
export const UPLOAD_FOLDER = "uploads";

/** The absolute path of an uploaded file; refuses a path that is not one (or leaves the area). */
export function uploadedFile(ctx: Ctx, project: string, relPath: string, field: string): string {
  if (!relPath.startsWith(`${UPLOAD_FOLDER}/`))
    throw new InvalidError(
      `${field}: ${JSON.stringify(relPath)} is not an uploaded file (upload it first)`,
      field,
    );
  const abs = ctx.offline.files.resolve(project, relPath, field);
  if (!fs.existsSync(abs))
    throw new InvalidError(
      `${field}: no uploaded file at ${JSON.stringify(relPath)} (upload it again)`,
      field,
    );
  return abs;
}

/** The DuckDB relation of an entity file: a CSV is read as text, so values reach us as written. */
export function fileRelation(abs: string, format: "csv" | "parquet"): string {
  return format === "csv"
    ? `read_csv(${duckString(abs)}, header = true, all_varchar = true)`
    : `read_parquet(${duckString(abs)})`;
}

/** The columns of a file and their DuckDB types. */
export async function describeFile(conn: DuckDBConnection, relation: string) {
  const reader = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${relation}`);
  return reader.getRowObjects().map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
}

/** An entity column of a file as text: times formatted with their microseconds, bytes as base64. */
function fileTextExpr(name: string, type: string): string {
  const c = quoteIdent(name);
  if (type === "VARCHAR") return c;
  if (/^(TIMESTAMP|DATE)/.test(type)) return `strftime(CAST(${c} AS TIMESTAMP), ${DUCK_INSTANT})`;
  if (type === "BLOB") return `to_base64(${c})`;
  return `CAST(${c} AS VARCHAR)`;
}

/** A file DuckDB could not read: said without DuckDB's text, which may quote the file's values. */
export function fileError(e: unknown, what: string, field: string): Error {
  if (e instanceof OfflineTimeoutError || isDomainError(e)) return e as Error;
  return new InvalidError(`${field}: ${what} could not be read (is it a valid file of its format?)`, field);
}

function uploadPlan(
  ctx: Ctx,
  project: string,
  spec: Extract<EntitySpec, { kind: "upload" }>,
  selection: Selection,
  field: string,
): Plan {
  const abs = uploadedFile(ctx, project, spec.path, `${field}.path`);
  const relation = fileRelation(abs, spec.format);
  const area = ctx.offline.files.dirOf(project);
  const what = `the uploaded ${spec.format === "csv" ? "CSV" : "Parquet"} file`;
  const duck = <T>(fn: (conn: DuckDBConnection) => Promise<T>, timeoutMs: number) =>
    withDuckDb({ allowedDirs: [area], timeoutMs }, fn).catch((e: unknown) => {
      if (e instanceof InvalidError) throw e;
      ctx.log.warn({ err: e, project }, "reading an uploaded entity file failed");
      throw fileError(e, what, `${field}.path`);
    });
  let types: Map<string, string> | undefined;
  const check = async (conn: DuckDBConnection) => {
    if (types) return types;
    const cols = await describeFile(conn, relation);
    checkColumns(
      cols.map((c) => c.name),
      selection,
      field,
    );
    types = new Map(cols.map((c) => [c.name, c.type]));
    return types;
  };
  return {
    spec: { kind: "upload", path: spec.path, format: spec.format, fileName: spec.fileName },
    check: () => duck(async (conn) => void (await check(conn)), ctx.offline.timeouts.probeMs),
    count: () =>
      duck(async (conn) => {
        await check(conn);
        const r = await conn.runAndReadAll(`SELECT count(*) AS n FROM ${relation}`);
        return Number(r.getRows()[0]?.[0] ?? 0);
      }, ctx.offline.timeouts.scanMs),
    read: (size, limit, fn) =>
      duck(async (conn) => {
        const t = await check(conn);
        const exprs = neededColumns(selection).map((c) => fileTextExpr(c, t.get(c) ?? "VARCHAR"));
        const result = await conn.stream(
          `SELECT ${exprs.join(", ")} FROM ${relation}${limit === undefined ? "" : ` LIMIT ${Math.floor(limit)}`}`,
        );
        let batch: RawRow[] = [];
        for (;;) {
          const chunk = await result.fetchChunk();
          if (!chunk || chunk.rowCount === 0) break;
          for (const row of chunk.getRows()) {
            batch.push(row.map((v) => (v === null || v === undefined ? null : String(v))));
            if (batch.length >= size) {
              if (!(await fn(batch))) return;
              batch = [];
            }
          }
        }
        if (batch.length > 0) await fn(batch);
      }, FILE_READ_TIMEOUT_MS),
  };
}

// ---------------------------------------------------------------------------------------------
// query and grid: SQL in the offline database, as the project's reader

/** The text form of a join key column in SQL: bytes as base64, anything else as its text. */
function keyTextExpr(expr: string, type: JoinKeyType): string {
  return type === "bytes" ? `encode(${expr}::bytea, 'base64')` : `${expr}::text`;
}

function timeTextExpr(expr: string): string {
  return `to_char(${expr}::timestamptz AT TIME ZONE 'UTC', ${PG_INSTANT})`;
}

function runExtended(client: pg.ClientBase, text: string, values: unknown[] = []) {
  const config: pg.QueryConfig & { queryMode: "extended" } = { text, values, queryMode: "extended" };
  return client.query(config);
}

/**
 * Runs `select` through a cursor as the project's reader, `size` rows per fetch. The cursor's
 * transaction stays open while fn works on a batch; returning false closes it.
 */
async function readCursor(
  ctx: Ctx,
  project: string,
  select: { text: string; values: unknown[] },
  size: number,
  fail: (e: unknown) => Error,
  fn: (rows: RawRow[]) => Promise<boolean>,
): Promise<void> {
  const tx = await ctx.offline.begin(project, "scan").catch((e: unknown) => {
    throw fail(e);
  });
  try {
    try {
      await runExtended(
        tx.client,
        `DECLARE quiver_entities NO SCROLL CURSOR FOR ${select.text}`,
        select.values,
      );
    } catch (e) {
      throw fail(e);
    }
    for (;;) {
      let rows: unknown[][];
      try {
        ({ rows } = await tx.client.query({
          text: `FETCH FORWARD ${Math.floor(size)} FROM quiver_entities`,
          rowMode: "array",
        }));
      } catch (e) {
        throw fail(e);
      }
      if (rows.length > 0 && !(await fn(rows.map((r) => r.map((v) => (v === null ? null : String(v)))))))
        return;
      if (rows.length < size) break;
    }
    await tx.commit();
  } finally {
    await tx.rollback();
  }
}

function limitClause(limit: number | undefined): string {
  return limit === undefined ? "" : ` LIMIT ${Math.floor(limit)}`;
}

function queryPlan(
  ctx: Ctx,
  project: string,
  spec: Extract<EntitySpec, { kind: "query" }>,
  selection: Selection,
  field: string,
): Plan {
  const sqlField = `${field}.sql`;
  let checked: string | undefined;
  const relation = async () => {
    if (!ctx.offline.querySources) throw querySourcesOff();
    if (checked === undefined) {
      try {
        checked = await checkQuerySource(spec.sql);
      } catch (e) {
        if (e instanceof InvalidError) throw new InvalidError(`${sqlField}: ${e.message}`, sqlField);
        throw e;
      }
    }
    const source: SourceDef = {
      name: "entity query",
      kind: "query",
      query: checked,
      tableName: null,
      timestampField: TIMESTAMP_COLUMN,
      createdTimestampField: null,
      fieldMapping: {},
    };
    return sourceRelation(source);
  };
  const fail = (timeoutMs: number) => (e: unknown) => offlineError(e, sqlField, timeoutMs, sqlField);
  let columnsChecked = false;
  const check = async () => {
    if (columnsChecked) return;
    const from = await relation();
    const fields = await ctx.offline
      .transaction(project, "probe", async (client) => {
        const res = await runExtended(client, `SELECT * FROM ${from} LIMIT 0`);
        return res.fields.map((f) => f.name);
      })
      .catch((e: unknown) => {
        throw fail(ctx.offline.timeouts.probeMs)(e);
      });
    checkColumns(fields, selection, field);
    columnsChecked = true;
  };
  const select = async (limit: number | undefined) => {
    const from = await relation();
    const exprs = [
      ...selection.joinKeys.map((k) => keyTextExpr(`src.${quoteIdent(k.name)}`, k.valueType)),
      timeTextExpr(`src.${quoteIdent(TIMESTAMP_COLUMN)}`),
    ];
    return { text: `SELECT ${exprs.join(", ")} FROM ${from}${limitClause(limit)}`, values: [] };
  };
  return {
    spec: { kind: "query", sql: spec.sql },
    check,
    async count() {
      await check();
      const from = await relation();
      return ctx.offline
        .transaction(project, "scan", async (client) => {
          const res = await runExtended(client, `SELECT count(*)::int8 AS n FROM ${from}`);
          return Number(res.rows[0]?.n ?? 0);
        })
        .catch((e: unknown) => {
          throw fail(ctx.offline.timeouts.scanMs)(e);
        });
    },
    async read(size, limit, fn) {
      await check();
      await readCursor(ctx, project, await select(limit), size, fail(ctx.offline.timeouts.scanMs), fn);
    },
  };
}

/** The grid's times: start, start + step, ..., up to end (both bounds inclusive). */
export function gridTimes(
  spec: Extract<EntitySpec, { kind: "grid" }>,
  field: string,
): { start: string; end: string; count: number } {
  const instant = (v: string, f: string) => {
    try {
      return parseInstant(v, 0);
    } catch {
      throw new InvalidError(
        `${field}.${f}: is not a time; use ISO 8601 like 2026-01-31T12:00:00Z (no offset means UTC)`,
        `${field}.${f}`,
      );
    }
  };
  const start = instant(spec.start, "start");
  const end = instant(spec.end, "end");
  // In microseconds, as generate_series steps (Date.parse would drop a start's microseconds).
  const span = instantMicros(end, `${field}.end`) - instantMicros(start, `${field}.start`);
  if (span < 0n) throw new InvalidError(`${field}.end: is before start`, `${field}.end`);
  const count = Number(span / (BigInt(spec.stepSeconds) * 1_000_000n)) + 1;
  if (count > MAX_GRID_TIMES)
    throw new InvalidError(
      `${field}.stepSeconds: start to end in steps of ${spec.stepSeconds} s gives ${count} times, limit ${MAX_GRID_TIMES}`,
      `${field}.stepSeconds`,
    );
  return { start, end, count };
}

async function gridPlan(
  ctx: Ctx,
  project: { id: string; name: string },
  spec: Extract<EntitySpec, { kind: "grid" }>,
  selection: Selection,
  field: string,
): Promise<Plan> {
  const viewField = `${field}.view`;
  const times = gridTimes(spec, field);
  const view = (await viewsByName(ctx, project.id, [spec.view])).get(spec.view);
  if (!view)
    throw new InvalidError(
      `${viewField}: feature view "${spec.view}" not found in project "${project.name}"`,
      viewField,
    );
  if (!view.spec.offline)
    throw new InvalidError(`${viewField}: feature view "${view.name}" is not available offline`, viewField);
  checkColumns([...view.joinKeys.map((k) => k.name), TIMESTAMP_COLUMN], selection, field);
  const source = await findDataSource(ctx, project.id, view.spec.source);
  if (!source) throw new Error(`data source "${view.spec.source}" of feature view "${view.name}" is missing`);
  const gridSpec = {
    kind: "grid" as const,
    view: spec.view,
    start: spec.start,
    end: spec.end,
    stepSeconds: spec.stepSeconds,
  };
  if (source.kind === "file")
    return fileGridPlan(ctx, project.name, gridSpec, times, view.name, source, selection, viewField);
  const fail = (timeoutMs: number) => (e: unknown) =>
    offlineError(e, `reading the keys of feature view "${view.name}"`, timeoutMs, viewField);
  const keysSql = async () => {
    const admitted = await admitSource(ctx.offline, project.name, source).catch((e: unknown) => {
      if (e instanceof InvalidError) throw new InvalidError(`${viewField}: ${e.message}`, viewField);
      throw e;
    });
    // The view's own join keys, in the selection's order (checkColumns made them the same set).
    const cols = selection.joinKeys.map((k, i) => ({
      key: k,
      alias: `k${i}`,
      src: `src.${quoteIdent(sourceColumnOf(admitted, k.name))}`,
    }));
    const ts = `src.${quoteIdent(admitted.timestampField)}`;
    return {
      cols,
      distinct: `SELECT DISTINCT ${cols.map((c) => `${c.src} AS ${c.alias}`).join(", ")} FROM ${sourceRelation(admitted)} WHERE ${ts} <= $1::timestamptz${cols.map((c) => ` AND ${c.src} IS NOT NULL`).join("")}`,
    };
  };
  return {
    spec: gridSpec,
    check: async () => {},
    async count() {
      const { distinct } = await keysSql();
      const entities = await ctx.offline
        .transaction(project.name, "scan", async (client) => {
          const res = await runExtended(client, `SELECT count(*)::int8 AS n FROM (${distinct}) AS k`, [
            times.end,
          ]);
          return Number(res.rows[0]?.n ?? 0);
        })
        .catch((e: unknown) => {
          throw fail(ctx.offline.timeouts.scanMs)(e);
        });
      return entities * times.count;
    },
    async read(size, limit, fn) {
      const { cols, distinct } = await keysSql();
      const text = [
        `SELECT ${cols.map((c) => keyTextExpr(`k.${c.alias}`, c.key.valueType)).join(", ")}, ${timeTextExpr("g.t")}`,
        `FROM (${distinct}) AS k`,
        "CROSS JOIN generate_series($2::timestamptz, $1::timestamptz, make_interval(secs => $3)) AS g(t)",
        `ORDER BY ${cols.map((c) => keyOrderExpr(`k.${c.alias}`, c.key.valueType)).join(", ")}, g.t${limitClause(limit)}`,
      ].join("\n");
      await readCursor(
        ctx,
        project.name,
        { text, values: [times.end, times.start, spec.stepSeconds] },
        size,
        fail(ctx.offline.timeouts.scanMs),
        fn,
      );
    },
  };
}

/**
 * A grid key's order: strings by their bytes (COLLATE "C"), whatever the database's collation, so
 * a view over a table and one over a file (DuckDB compares strings by bytes) order alike.
 */
function keyOrderExpr(expr: string, type: JoinKeyType): string {
  return type === "string" ? `${expr}::text COLLATE "C"` : expr;
}

/** A file key's text as the Postgres grid gives it: ints in decimal, bytes as base64. */
function fileKeyTextExpr(expr: string, type: JoinKeyType): string {
  return type === "bytes" ? `to_base64(${expr})` : `CAST(${expr} AS VARCHAR)`;
}

/**
 * The grid over a view whose source is a file: its distinct keys with event time <= end come from
 * the sandboxed DuckDB of the project's folder (under the scan timeout), ordered as the Postgres
 * grid orders them (ints as numbers, strings and bytes by their bytes) and in its text forms; the
 * times (start, start + step, ..., up to end, to the microsecond) are made here. The keys are held
 * in memory (at most 50,000,000 grid rows, so as many keys) so DuckDB's timeout bounds its read
 * only, not the build's work between slices.
 */
function fileGridPlan(
  ctx: Ctx,
  project: string,
  spec: Extract<DatasetEntitySourceSpec, { kind: "grid" }>,
  times: { start: string; end: string; count: number },
  viewName: string,
  source: SourceDef,
  selection: Selection,
  viewField: string,
): Plan {
  const startUs = instantMicros(times.start, `${viewField}.start`);
  const endUs = instantMicros(times.end, `${viewField}.end`);
  const duck = <T>(fn: (conn: DuckDBConnection, sql: (select: string) => string) => Promise<T>) =>
    withProjectDuckDb(ctx.offline, project, "scan", async (conn) => {
      const file = await openFile(conn, ctx.offline, project, source);
      const keyColumns = selection.joinKeys.map((k) => ({ key: k, column: sourceColumnOf(source, k.name) }));
      // A CSV's string and bytes keys are read as text (leading zeros kept, base64 decoded below).
      const text =
        file.format === "csv"
          ? csvTextColumns(source, { joinKeys: selection.joinKeys, fields: [] }, file.columns)
          : [];
      const columns = withTextColumns(file.columns, text);
      const typeOf = (column: string, what: string) => {
        const type = columns.get(column);
        if (type === undefined)
          throw new InvalidError(
            `${viewField}: source "${source.name}": file ${JSON.stringify(source.path ?? "")} has no ${what} "${column}"`,
            viewField,
          );
        return type;
      };
      const ts = microsExpr(
        `src.${quoteIdent(source.timestampField)}`,
        typeOf(source.timestampField, "timestamp column"),
        `timestamp column "${source.timestampField}"`,
      );
      const keys = keyColumns.map(({ key, column }, i) => ({
        key,
        alias: `k${i}`,
        expr: keyJoinExpr(
          `src.${quoteIdent(column)}`,
          typeOf(column, `column for "${key.name}"`),
          key.valueType as JoinKeyType,
        ),
      }));
      const distinct = `SELECT DISTINCT ${keys.map((k) => `${k.expr} AS ${k.alias}`).join(", ")} FROM ${fileSourceRelation(file.format, file.abs, text)} AS src WHERE ${ts} <= $1${keys.map((k) => ` AND ${k.expr} IS NOT NULL`).join("")}`;
      const sql = (select: string) =>
        select
          .replace("{distinct}", distinct)
          .replace(
            "{keys}",
            keys.map((k) => fileKeyTextExpr(`k.${k.alias}`, k.key.valueType as JoinKeyType)).join(", "),
          )
          .replace("{order}", keys.map((k) => `k.${k.alias}`).join(", "));
      try {
        return await fn(conn, sql);
      } catch (e) {
        throw fileSourceError(e, source);
      }
    }).catch((e: unknown) => {
      if (e instanceof InvalidError && !e.message.startsWith(`${viewField}:`))
        throw new InvalidError(`${viewField}: feature view "${viewName}": ${e.message}`, viewField);
      if (e instanceof OfflineTimeoutError || isDomainError(e)) throw e;
      ctx.log.warn({ err: e, project }, "reading the keys of a file source failed");
      throw fileSourceError(e, source);
    });
  return {
    spec,
    check: async () => {},
    async count() {
      const entities = await duck(async (conn, sql) => {
        const r = await conn.runAndReadAll(sql("SELECT count(*) FROM ({distinct}) AS k"), [endUs], [BIGINT]);
        return Number(r.getRows()[0]?.[0] ?? 0);
      });
      return entities * times.count;
    },
    async read(size, limit, fn) {
      const at: string[] = [];
      for (let us = startUs; us <= endUs; us += BigInt(spec.stepSeconds) * 1_000_000n)
        at.push(microsToIso(us) ?? "");
      if (at.length === 0) return;
      const keyLimit = limit === undefined ? "" : ` LIMIT ${Math.ceil(Math.floor(limit) / at.length)}`;
      const keyRows = await duck(async (conn, sql) => {
        const r = await conn.runAndReadAll(
          sql(`SELECT {keys} FROM ({distinct}) AS k ORDER BY {order}${keyLimit}`),
          [endUs],
          [BIGINT],
        );
        return r.getRows().map((row) => row.map((v) => (v === null || v === undefined ? null : String(v))));
      });
      const max = limit === undefined ? Number.POSITIVE_INFINITY : Math.floor(limit);
      let sent = 0;
      let batch: RawRow[] = [];
      for (const keys of keyRows)
        for (const t of at) {
          if (sent >= max) break;
          batch.push([...keys, t]);
          sent += 1;
          if (batch.length >= size) {
            if (!(await fn(batch))) return;
            batch = [];
          }
        }
      if (batch.length > 0) await fn(batch);
    },
  };
}
