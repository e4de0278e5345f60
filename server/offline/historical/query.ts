import "server-only";
import type { JoinKeyType, ValueType } from "../../registry/schemas";
import {
  type BuiltQuery,
  type FieldColumn,
  quoteIdent,
  type SourceDef,
  selectExpr,
  sourceColumnOf,
  sourceRelation,
} from "../source-query";

/**
 * Point-in-time SQL (docs/adr/0022-point-in-time-retrieval.md): for each entity row (join keys, t)
 * the source row with equal keys and event_ts <= t (and >= t - ttl when ttl > 0) with the greatest
 * event_ts; on a tie the greater created wins and a NULL created loses. No row: nulls. Pure: no I/O.
 *
 * The entity rows travel as one array parameter per column, unnested WITH ORDINALITY, so every
 * answer row carries its request position and duplicate rows stay duplicates. The form was chosen
 * by measurement (bench/historical.ts; the figures are in the ADR's "Measured" section): it is fast
 * when the source has an index on (join keys, event_ts), and without one every form is slow.
 */

export interface PitView {
  name: string;
  source: SourceDef;
  /** 0: no limit on age. */
  ttlSeconds: number;
  /** The view's join keys in entity order (names as the request's entity columns). */
  joinKeys: { name: string; valueType: JoinKeyType }[];
  /** The requested features of the view. */
  fields: FieldColumn[];
}

/** Alias of the ordinality column: registry names cannot start with "_". */
export const ORD = "__ord";
const TS = "__ts";

const ARRAY_TYPE: Record<JoinKeyType, string> = {
  int32: "int4[]",
  int64: "int8[]",
  string: "text[]",
  bytes: "bytea[]",
};

/**
 * The select expression of a feature in the historical answer: like the online scan's, except that
 * timestamps are formatted in SQL so microseconds survive (a JS Date keeps milliseconds).
 */
function historicalExpr(column: string, dtype: ValueType): string {
  const c = `src.${quoteIdent(column)}`;
  const iso = (x: string) => `to_char(${x} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
  if (dtype === "unix_timestamp") return iso(`${c}::timestamptz`);
  if (dtype === "list<unix_timestamp>")
    // array_agg over no elements is NULL: an empty list stays an empty list, only NULL is NULL.
    return `CASE WHEN ${c} IS NULL THEN NULL ELSE coalesce((SELECT array_agg(${iso("x")} ORDER BY i) FROM unnest(${c}::timestamptz[]) WITH ORDINALITY AS u(x, i)), '{}'::text[]) END`;
  return selectExpr(column, dtype);
}

/** The select list of the view's features over `src`, each under its own name. */
export function featureSelects(view: PitView): string[] {
  return view.fields.map(
    (f) => `${historicalExpr(sourceColumnOf(view.source, f.name), f.dtype)} AS ${quoteIdent(f.name)}`,
  );
}

/**
 * At most this many views share one statement: the planner searches join orders exhaustively up to
 * Postgres's join_collapse_limit (8), and a request for more views takes more statements.
 */
export const VIEWS_PER_STATEMENT = 8;

/** A statement answering several views at once, with what its parameters and columns mean. */
export interface PitStatement {
  text: string;
  /** $1..$k: one array per entity column the views join on (a join key name and its type). */
  keyColumns: { name: string; valueType: JoinKeyType }[];
  /** After the keys, the entity times ($k+1); then one ttl in seconds per view with a ttl, in view order. */
  ttlSeconds: number[];
  /** Per view, in the order given: the answer columns of its fields (column 0 is the ordinal). */
  columns: number[][];
}

/**
 * One statement for these views (at most VIEWS_PER_STATEMENT of them). The entity rows are unnested
 * once WITH ORDINALITY and sorted by (keys, time), so consecutive lookups land on the same index
 * pages; each view is a LEFT JOIN LATERAL that first takes the greatest event_ts at or before t from
 * the index alone (an index-only scan on (keys, event_ts), no table row read), then reads the row of
 * that time, the greatest created first when there is a created column. The answer comes back in
 * key order: a row's place is its ordinal (column 0), 1-based; no sort of the answer.
 */
export function pointInTimeStatement(views: readonly PitView[]): PitStatement {
  if (views.length > VIEWS_PER_STATEMENT)
    throw new Error(`a point-in-time statement takes at most ${VIEWS_PER_STATEMENT} views`);
  const keyColumns: PitStatement["keyColumns"] = [];
  const keyIndex = (k: PitView["joinKeys"][number]) => {
    let i = keyColumns.findIndex((c) => c.name === k.name && c.valueType === k.valueType);
    if (i < 0) i = keyColumns.push({ name: k.name, valueType: k.valueType }) - 1;
    return i;
  };
  const viewKeys = views.map((v) => {
    if (v.joinKeys.length === 0) throw new Error("a point-in-time join needs at least one join key");
    return v.joinKeys.map(keyIndex);
  });
  const timeParam = keyColumns.length + 1;
  const ttlSeconds: number[] = [];
  const columns: number[][] = [];
  const selects: string[] = [];
  const joins: string[] = [];
  views.forEach((view, vi) => {
    const alias = `f${vi}`;
    columns.push(view.fields.map((_, j) => selects.length + 1 + j));
    // A view asked for no feature needs no lookup.
    if (view.fields.length === 0) return;
    selects.push(...view.fields.map((f) => `${alias}.${quoteIdent(f.name)}`));
    const ttlParam = view.ttlSeconds > 0 ? timeParam + ttlSeconds.push(view.ttlSeconds) : null;
    joins.push(lateral(view, alias, viewKeys[vi] ?? [], ttlParam));
  });
  const entityCols = [...keyColumns.map((_, i) => `k${i}`), TS, ORD];
  const params = [
    ...keyColumns.map((k, i) => `$${i + 1}::${ARRAY_TYPE[k.valueType]}`),
    `$${timeParam}::timestamptz[]`,
  ];
  const text = [
    `SELECT e.${ORD}${selects.map((c) => `, ${c}`).join("")}`,
    `FROM (SELECT * FROM unnest(${params.join(", ")}) WITH ORDINALITY AS u(${entityCols.join(", ")})`,
    `  ORDER BY ${[...keyColumns.map((_, i) => `k${i}`), TS].join(", ")}) AS e`,
    ...joins,
  ].join("\n");
  return { text, keyColumns, ttlSeconds, columns };
}

/**
 * A view's LATERAL: its features for entity row e. Both subqueries name the source `src` (the inner
 * one shadows the outer inside its parentheses); e's key columns are `keys` (indexes of k0…).
 */
function lateral(view: PitView, alias: string, keys: readonly number[], ttlParam: number | null): string {
  const { source } = view;
  const ts = `src.${quoteIdent(source.timestampField)}`;
  const created = source.createdTimestampField ? `src.${quoteIdent(source.createdTimestampField)}` : null;
  const keyMatch = view.joinKeys.map(
    (k, i) => `src.${quoteIdent(sourceColumnOf(source, k.name))} = e.k${keys[i]}`,
  );
  const newest = [
    ...keyMatch,
    `${ts} <= e.${TS}`,
    ...(ttlParam === null ? [] : [`${ts} >= e.${TS} - make_interval(secs => $${ttlParam})`]),
  ];
  return [
    "LEFT JOIN LATERAL (",
    `  SELECT ${featureSelects(view).join(", ")}`,
    `  FROM ${sourceRelation(source)}`,
    `  WHERE ${keyMatch.join(" AND ")}`,
    `    AND ${ts} = (SELECT max(${ts}) FROM ${sourceRelation(source)}`,
    `      WHERE ${newest.join(" AND ")})`,
    ...(created ? [`  ORDER BY ${created} DESC NULLS LAST`] : []),
    "  LIMIT 1",
    `) ${alias} ON true`,
  ].join("\n");
}

/** The bind values of a statement for these entity rows. */
export function pointInTimeValues(
  statement: PitStatement,
  keys: Record<string, unknown[]>,
  times: readonly string[],
): unknown[] {
  const values: unknown[] = statement.keyColumns.map((k) => {
    const column = keys[k.name] ?? [];
    return k.valueType === "bytes"
      ? column.map((v) => (typeof v === "string" ? Buffer.from(v, "base64") : v))
      : column.map((v) => (typeof v === "number" || typeof v === "bigint" ? String(v) : v));
  });
  values.push(times, ...statement.ttlSeconds);
  return values;
}

export type { BuiltQuery };
