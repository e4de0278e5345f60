import "server-only";
import type pg from "pg";
import { InvalidError } from "../core/errors";
import { duckdbColumnType, postgresColumnType } from "./column-types";
import { offlineError } from "./errors";
import { SCAN_TYPES, type SourceRow, sourceRowConverter } from "./scan-rows";
import {
  type BuiltQuery,
  type KeyRange,
  latestPerEntityQuery,
  newestEventTsQuery,
  probeColumnsQuery,
  type SourceDef,
  sourceColumnOf,
  type ViewColumns,
} from "./source-query";
import { admitSource } from "./space";
import type { OfflineStore } from "./store";

/**
 * Runs offline scans through the offline store: as the project's reader role, in a READ ONLY
 * transaction in UTC with the purpose's timeouts, after the source passed admitSource (its table
 * in the project's space, its query through the sandbox). The extended protocol refuses a second
 * statement too. Errors come back mapped (errors.ts): no row data in any message.
 *
 * A file source is read by DuckDB instead (file-source.ts, loaded only when one is read): the same
 * semantics, the same rows and values, the same timeouts; its errors are mapped there.
 */

export const DEFAULT_BATCH_SIZE = 5000;

export type { SourceRow } from "./scan-rows";

/**
 * pg's `queryMode: "extended"` (missing from @types/pg) forces the extended protocol even without
 * parameters, and that protocol accepts exactly one statement.
 */
function run(client: pg.PoolClient, q: BuiltQuery): Promise<pg.QueryResult> {
  const config: pg.QueryConfig & { queryMode: "extended" } = {
    text: q.text,
    values: q.values,
    queryMode: "extended",
  };
  return client.query(config);
}

function describeSource(source: SourceDef): string {
  return `source "${source.name}"`;
}

/**
 * Streams, in batches, the latest row per entity key in [start, end] (inclusive; see
 * latestPerEntityQuery). The server-side cursor keeps memory flat whatever the source size.
 * Stop early with `break` (or `return()`): the transaction is rolled back and the connection freed.
 */
export async function* readLatestPerEntity(
  store: OfflineStore,
  project: string,
  source: SourceDef,
  view: ViewColumns,
  window: { start: Date; end: Date },
  opts: { batchSize?: number; range?: KeyRange } = {},
): AsyncGenerator<SourceRow[]> {
  const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error("batchSize must be a positive integer");
  const toSourceRow = sourceRowConverter(view);
  if (source.kind === "file") {
    // Runs are never split over a file source (estimateLatestPerEntity gives no estimate for one).
    if (opts.range) throw new Error("a file source is read whole, not by key range");
    const files = await import("./file-source");
    const batches = files.readFileLatestPerEntity(store, project, source, view, window, batchSize);
    for await (const rows of batches) yield rows.map((r) => toSourceRow(files.fileScanRow(r, view)));
    return;
  }
  const admitted = await admitSource(store, project, source);
  const q = latestPerEntityQuery(admitted, view, window, opts.range);
  // No prefix: the caller's step ("reading source X") names the source already.
  const fail = (e: unknown) => offlineError(e, "", store.timeouts.scanMs);
  const tx = await store.begin(project, "scan").catch((e: unknown) => {
    throw fail(e);
  });
  try {
    try {
      await run(tx.client, { text: `DECLARE quiver_scan NO SCROLL CURSOR FOR ${q.text}`, values: q.values });
    } catch (e) {
      throw fail(e);
    }
    for (;;) {
      let rows: Record<string, unknown>[];
      try {
        ({ rows } = await tx.client.query({
          text: `FETCH FORWARD ${batchSize} FROM quiver_scan`,
          types: SCAN_TYPES,
        }));
      } catch (e) {
        throw fail(e);
      }
      if (rows.length > 0) yield rows.map(toSourceRow);
      if (rows.length < batchSize) break;
    }
    await tx.commit();
  } finally {
    await tx.rollback();
  }
}

/**
 * The planner's estimate of how many rows readLatestPerEntity would give (entities in the window),
 * from `EXPLAIN` as the project's reader: no scan, only the source's statistics. Null for a file
 * source (DuckDB reads it) or when the plan carries no estimate.
 */
export async function estimateLatestPerEntity(
  store: OfflineStore,
  project: string,
  source: SourceDef,
  view: ViewColumns,
  window: { start: Date; end: Date },
): Promise<number | null> {
  if (source.kind === "file") return null;
  const admitted = await admitSource(store, project, source);
  const q = latestPerEntityQuery(admitted, view, window);
  try {
    return await store.transaction(project, "probe", async (client) => {
      const { rows } = await run(client, { text: `EXPLAIN (FORMAT JSON) ${q.text}`, values: q.values });
      const plan: unknown = (rows[0]?.["QUERY PLAN"] as { Plan?: Record<string, unknown> }[] | undefined)?.[0]
        ?.Plan?.["Plan Rows"];
      return typeof plan === "number" && Number.isFinite(plan) ? plan : null;
    });
  } catch (e) {
    throw offlineError(e, "", store.timeouts.probeMs);
  }
}

/** What a background probe learns of a source. */
export interface SourceProbe {
  newest: Date | null;
  rows: number;
}

/** The greatest event timestamp in the source (null when empty) and its row count, as a probe. */
export async function probeSource(
  store: OfflineStore,
  project: string,
  source: SourceDef,
): Promise<SourceProbe> {
  if (source.kind === "file") {
    const files = await import("./file-source");
    return files.probeFile(store, project, source);
  }
  const admitted = await admitSource(store, project, source);
  try {
    return await store.transaction(project, "probe", async (client) => {
      const { rows } = await run(client, newestEventTsQuery(admitted));
      const newest: unknown = rows[0]?.newest;
      return { newest: newest instanceof Date ? newest : null, rows: Number(rows[0]?.rows ?? 0) };
    });
  } catch (e) {
    throw offlineError(e, describeSource(source), store.timeouts.probeMs);
  }
}

/** Column types an event or created timestamp may have (column-types.ts names). */
const TIME_TYPES: ReadonlySet<string> = new Set(["date", "timestamp", "timestamptz"]);

/** A source column: its type (column-types.ts names) and whether it may be an event or created timestamp. */
export interface SourceColumn {
  type: string;
  isTime: boolean;
}
/** A source's columns by name, in the source's order. */
export type SourceColumns = Map<string, SourceColumn>;
type ColumnTimes = SourceColumns;

/** Which definition field a column problem is about (registration forms show it there). */
type ProblemField = "timestampField" | "createdTimestampField" | "fieldMapping" | "column";

/**
 * Reads the source's columns (a Postgres relation's through `SELECT * … LIMIT 0`, a file's through
 * DuckDB's DESCRIBE), or returns why it cannot be read as an InvalidError for the "source" field.
 */
async function sourceColumns(
  store: OfflineStore,
  project: string,
  source: SourceDef,
): Promise<ColumnTimes | InvalidError> {
  const what =
    source.kind === "table"
      ? `table ${source.tableName}`
      : source.kind === "file"
        ? `file ${JSON.stringify(source.path ?? "")}`
        : "query";
  const prefix = `source "${source.name}": its ${what} cannot be read`;
  try {
    if (source.kind === "file") {
      const files = await import("./file-source");
      const { FILE_TIME_TYPES } = await import("./file-query");
      const columns = await files.describeFileSource(store, project, source);
      // A CSV's types are the sniffer's guesses: a time column it could not type (all empty, or
      // mixed formats) is text, which is read as ISO 8601 (file-query.ts microsExpr).
      const text = source.fileFormat === "csv" ? "VARCHAR" : null;
      return new Map(
        [...columns].map(([name, type]) => [
          name,
          { type: duckdbColumnType(type), isTime: FILE_TIME_TYPES.has(type) || type === text },
        ]),
      );
    }
    const admitted = await admitSource(store, project, source);
    return await store.transaction(project, "probe", async (client) => {
      const res = await run(client, probeColumnsQuery(admitted));
      return new Map(
        res.fields.map((f) => {
          const type = postgresColumnType(f.dataTypeID);
          return [f.name, { type, isTime: TIME_TYPES.has(type) }];
        }),
      );
    });
  } catch (e) {
    // A refusal of the sandbox, the space or the file area is already safe; it gets the same context.
    if (e instanceof InvalidError)
      return new InvalidError(
        // The file engine's errors name the source already.
        e.message.startsWith(`source "${source.name}"`)
          ? e.message
          : `${prefix}: ${e.message.replace(/^(query|tableName|path|fileFormat): /, "")}`,
        "source",
      );
    const err = offlineError(e, prefix, store.timeouts.probeMs);
    if (err instanceof InvalidError) return new InvalidError(err.message, "source");
    throw err;
  }
}

/** The first column the source lacks (or whose type is wrong), or null. */
function columnProblem(
  source: SourceDef,
  columns: ColumnTimes,
  needs: { joinKeys: string[]; fields: string[] },
): { message: string; field: ProblemField } | null {
  const timeColumn = (what: string, column: string, field: ProblemField) => {
    const isTime = columns.get(column)?.isTime;
    if (isTime === undefined)
      return { message: `source "${source.name}" has no ${what} column "${column}"`, field };
    if (!isTime)
      return {
        message: `source "${source.name}": ${what} column "${column}" must be a date, timestamp or timestamptz`,
        field,
      };
    return null;
  };
  const tsProblem = timeColumn("timestamp", source.timestampField, "timestampField");
  if (tsProblem) return tsProblem;
  if (source.createdTimestampField) {
    const createdProblem = timeColumn(
      "created timestamp",
      source.createdTimestampField,
      "createdTimestampField",
    );
    if (createdProblem) return createdProblem;
  }
  for (const [kind, names] of [
    ["join key", needs.joinKeys],
    ["field", needs.fields],
  ] as const) {
    for (const name of names) {
      const column = sourceColumnOf(source, name);
      if (!columns.has(column)) {
        const mapped = column === name ? "" : " (per its field mapping)";
        return {
          message: `source "${source.name}" has no column "${column}" for ${kind} "${name}"${mapped}`,
          field: column === name ? "column" : "fieldMapping",
        };
      }
    }
  }
  return null;
}

/**
 * Checks that a source can feed a view: the relation (query, file) reads, and it has the timestamp
 * column (of a time type), the created timestamp column if any, and a column for every join key
 * and field (after fieldMapping). Returns the first problem as an InvalidError naming the column,
 * or null when the source is usable.
 */
export async function checkSource(
  store: OfflineStore,
  project: string,
  source: SourceDef,
  needs: { joinKeys: string[]; fields: string[] },
): Promise<InvalidError | null> {
  const checked = await checkSourceColumns(store, project, source, needs);
  return checked instanceof InvalidError ? checked : null;
}

/** checkSource that also answers the columns it read (with their types) when the source is usable. */
export async function checkSourceColumns(
  store: OfflineStore,
  project: string,
  source: SourceDef,
  needs: { joinKeys: string[]; fields: string[] },
): Promise<SourceColumns | InvalidError> {
  const columns = await sourceColumns(store, project, source);
  if (columns instanceof InvalidError) return columns;
  const problem = columnProblem(source, columns, needs);
  if (!problem) return columns;
  return new InvalidError(problem.message, problem.field.endsWith("Field") ? "source" : undefined);
}

/**
 * The registration check of a source, of any kind: its table, query or file reads (a table or
 * query through `SELECT * … LIMIT 0` as the project's reader, within the probe timeout; a file
 * through DuckDB's DESCRIBE), and it has the timestamp and created columns (of time types) and
 * every column the field mapping names. The problem is an InvalidError for the definition's field
 * (`tableName`, `query` or `path` when the source cannot be read at all).
 */
export async function checkSourceDefinition(
  store: OfflineStore,
  project: string,
  source: SourceDef,
): Promise<InvalidError | null> {
  const columns = await sourceColumns(store, project, source);
  const unreadable = source.kind === "table" ? "tableName" : source.kind === "query" ? "query" : "path";
  if (columns instanceof InvalidError)
    return new InvalidError(`${unreadable}: ${columns.message}`, unreadable);
  const problem = columnProblem(source, columns, {
    joinKeys: [],
    fields: Object.values(source.fieldMapping),
  });
  if (!problem) return null;
  const field = problem.field === "column" ? "fieldMapping" : problem.field;
  return new InvalidError(`${field}: ${problem.message}`, field);
}
