import "server-only";
import { InvalidError } from "../core/errors";
import type { dataSources } from "../db/schema";
import { TABLE_NAME_PATTERN, type ValueType } from "../registry/schemas";

/**
 * Pure SQL building for offline scans of a data source. No I/O here: source-reader.ts runs what
 * this module builds. Identifiers are always double-quoted (a name is checked, then any `"` is
 * doubled), values are always bind parameters.
 */

/**
 * The columns of a data source row that offline scans read. `path` and `fileFormat` matter only to
 * file sources (read by DuckDB: file-query.ts), so rows built for table and query sources may leave
 * them out.
 */
export type SourceDef = Pick<
  typeof dataSources.$inferSelect,
  "name" | "kind" | "tableName" | "query" | "timestampField" | "createdTimestampField" | "fieldMapping"
> &
  Partial<Pick<typeof dataSources.$inferSelect, "path" | "fileFormat">>;

export interface JoinKeyColumn {
  name: string;
  valueType: ValueType;
}

export interface FieldColumn {
  name: string;
  dtype: ValueType;
}

/** What a scan of a feature view's source selects: the view's join keys (entity order) and fields. */
export interface ViewColumns {
  joinKeys: JoinKeyColumn[];
  fields: FieldColumn[];
}

/** The scan columns of a view: its entities' join keys in spec order, then its fields. */
export function viewColumns(
  fields: readonly { name: string; dtype: ValueType }[],
  entities: readonly { joinKey: string; valueType: string }[],
): ViewColumns {
  return {
    joinKeys: entities.map((e) => ({ name: e.joinKey, valueType: e.valueType as ValueType })),
    fields: fields.map((f) => ({ name: f.name, dtype: f.dtype })),
  };
}

/** Output aliases of the two time columns; registry names cannot start with "_", so no clash. */
export const EVENT_TS = "__event_ts";
export const CREATED_TS = "__created_ts";

/** Alias of the source relation inside the scan. */
const SRC = "src";

export interface BuiltQuery {
  text: string;
  values: unknown[];
}

export function quoteIdent(name: string): string {
  if (name.length === 0 || name.includes("\u0000"))
    throw new Error(`invalid SQL identifier ${JSON.stringify(name)}`);
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * The FROM item of a source: `"schema"."table" AS src`, or the query wrapped as a subquery. A file
 * source has none in Postgres: DuckDB reads it (file-query.ts).
 */
export function sourceRelation(source: SourceDef): string {
  // A caller that knows only Postgres sources: a 400 naming the limit rather than bad SQL.
  if (source.kind === "file")
    throw new InvalidError(
      `data source "${source.name}" is a file source; this reads only table and query sources`,
      "source",
    );
  if (source.kind === "table") {
    const table = source.tableName ?? "";
    if (!TABLE_NAME_PATTERN.test(table))
      throw new Error(`data source "${source.name}" has an invalid table name ${JSON.stringify(table)}`);
    return `${table.split(".").map(quoteIdent).join(".")} AS ${SRC}`;
  }
  const query = stripTrailingSemicolons(source.query ?? "");
  if (!query) throw new Error(`data source "${source.name}" has no query`);
  // The newline keeps a trailing `-- comment` in the user's query from swallowing the parenthesis.
  return `(\n${query}\n) AS ${SRC}`;
}

function stripTrailingSemicolons(query: string): string {
  return query.trim().replace(/[;\s]+$/, "");
}

/** The source column holding a feature or join key: the fieldMapping key mapped to it, else the name itself. */
export function sourceColumnOf(source: SourceDef, name: string): string {
  for (const [column, mapped] of Object.entries(source.fieldMapping)) if (mapped === name) return column;
  return name;
}

function col(column: string): string {
  return `${SRC}.${quoteIdent(column)}`;
}

/**
 * The select expression giving a value of `dtype` in a form the reader can convert without losing
 * precision: int64 as text (pg would round it through a JS number), strings as text (a uuid, date
 * or json column reads as its text), timestamps as timestamptz (read in a UTC session, so a
 * `timestamp` column is taken as UTC). Other types pass as pg parses them.
 */
export function selectExpr(column: string, dtype: ValueType): string {
  const c = col(column);
  switch (dtype) {
    case "int64":
      return `${c}::text`;
    case "list<int64>":
      return `${c}::text[]`;
    case "string":
      return `${c}::text`;
    case "list<string>":
      return `${c}::text[]`;
    case "unix_timestamp":
      return `${c}::timestamptz`;
    case "list<unix_timestamp>":
      return `${c}::timestamptz[]`;
    default:
      return c;
  }
}

/** One of `count` key ranges: the entities whose join keys hash to `index` modulo `count`. */
export interface KeyRange {
  index: number;
  count: number;
}

/**
 * For the window [start, end] (inclusive) on the event timestamp: per entity key, the row with the
 * greatest event timestamp; ties go to the greater created timestamp, a null created timestamp
 * loses. Rows with a null join key are skipped (they name no entity). $1 = start, $2 = end.
 *
 * With a key range ($3 = count, $4 = index), only the entities of that range: a filter on the key
 * alone, so each range's rows are exactly the whole answer's rows for its keys, and the ranges of
 * one count partition the answer (docs/adr/0005-materialization.md, "Parallel key ranges").
 */
export function latestPerEntityQuery(
  source: SourceDef,
  view: ViewColumns,
  window: { start: Date; end: Date },
  range?: KeyRange,
): BuiltQuery {
  if (view.joinKeys.length === 0) throw new Error("a feature view scan needs at least one join key");
  const keyCols = view.joinKeys.map((k) => col(sourceColumnOf(source, k.name)));
  const ts = col(source.timestampField);
  const created = source.createdTimestampField ? col(source.createdTimestampField) : null;

  const select = [
    ...view.joinKeys.map(
      (k) => `${selectExpr(sourceColumnOf(source, k.name), k.valueType)} AS ${quoteIdent(k.name)}`,
    ),
    ...view.fields.map(
      (f) => `${selectExpr(sourceColumnOf(source, f.name), f.dtype)} AS ${quoteIdent(f.name)}`,
    ),
    `${ts}::timestamptz AS ${quoteIdent(EVENT_TS)}`,
    `${created ? `${created}::timestamptz` : "NULL::timestamptz"} AS ${quoteIdent(CREATED_TS)}`,
  ];
  const where = [
    `${ts} >= $1::timestamptz`,
    `${ts} <= $2::timestamptz`,
    ...keyCols.map((k) => `${k} IS NOT NULL`),
  ];
  const values: unknown[] = [window.start, window.end];
  if (range) {
    checkRange(range);
    where.push(`mod(${keyHashExpr(keyCols)} & 9223372036854775807, $3::bigint) = $4::bigint`);
    values.push(range.count, range.index);
  }
  const order = [...keyCols, `${ts} DESC`, ...(created ? [`${created} DESC NULLS LAST`] : [])];

  const text = [
    `SELECT DISTINCT ON (${keyCols.join(", ")})`,
    `  ${select.join(",\n  ")}`,
    `FROM ${sourceRelation(source)}`,
    `WHERE ${where.join("\n  AND ")}`,
    `ORDER BY ${order.join(", ")}`,
  ].join("\n");
  return { text, values };
}

function checkRange(range: KeyRange): void {
  if (!Number.isInteger(range.count) || range.count < 1 || range.count > 1024)
    throw new Error(`a key range count must be an integer in [1, 1024], not ${range.count}`);
  if (!Number.isInteger(range.index) || range.index < 0 || range.index >= range.count)
    throw new Error(`a key range index must be an integer in [0, ${range.count - 1}], not ${range.index}`);
}

/**
 * A 64-bit hash of an entity's join key values as text (one key: its text; several: their texts
 * joined by a unit separator): a function of the key alone, whatever the column types.
 */
function keyHashExpr(keyCols: string[]): string {
  const text =
    keyCols.length === 1
      ? `${keyCols[0]}::text`
      : `concat_ws(chr(31), ${keyCols.map((k) => `${k}::text`).join(", ")})`;
  return `hashtextextended(${text}, 0)`;
}

/** The newest event timestamp in the whole source (null when it is empty) and its row count. */
export function newestEventTsQuery(source: SourceDef): BuiltQuery {
  return {
    text: `SELECT max(${col(source.timestampField)})::timestamptz AS newest, count(*) AS rows FROM ${sourceRelation(source)}`,
    values: [],
  };
}

/** A query returning no rows but every column of the source, for validating column names. */
export function probeColumnsQuery(source: SourceDef): BuiltQuery {
  return { text: `SELECT * FROM ${sourceRelation(source)} LIMIT 0`, values: [] };
}
