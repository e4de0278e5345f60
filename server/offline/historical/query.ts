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
 * The entity rows travel as one array parameter per column, unnested WITH ORDINALITY, so the
 * answer comes back in request order and duplicate rows stay duplicates. A LATERAL subquery with
 * ORDER BY ... LIMIT 1 lets Postgres use an index on (join keys, event_ts) when the table has one.
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
    return `(SELECT array_agg(${iso("x")} ORDER BY i) FROM unnest(${c}::timestamptz[]) WITH ORDINALITY AS u(x, i))`;
  return selectExpr(column, dtype);
}

/**
 * $1..$k: one array per join key (the view's order); $k+1: the entity times (timestamptz[]);
 * $k+2: the ttl in seconds when ttl > 0. Columns: __ord, then each field under its own name.
 */
export function pointInTimeQuery(view: PitView): string {
  if (view.joinKeys.length === 0) throw new Error("a point-in-time join needs at least one join key");
  const { source } = view;
  const keyCount = view.joinKeys.length;
  const unnest = [
    ...view.joinKeys.map((k, i) => `$${i + 1}::${ARRAY_TYPE[k.valueType]}`),
    `$${keyCount + 1}::timestamptz[]`,
  ];
  const entityCols = [...view.joinKeys.map((_, i) => `k${i}`), TS, ORD];
  const ts = `src.${quoteIdent(source.timestampField)}`;
  const created = source.createdTimestampField ? `src.${quoteIdent(source.createdTimestampField)}` : null;
  const where = [
    ...view.joinKeys.map((k, i) => `src.${quoteIdent(sourceColumnOf(source, k.name))} = e.k${i}`),
    `${ts} <= e.${TS}`,
    ...(view.ttlSeconds > 0 ? [`${ts} >= e.${TS} - make_interval(secs => $${keyCount + 2})`] : []),
  ];
  const order = [`${ts} DESC`, ...(created ? [`${created} DESC NULLS LAST`] : [])];
  const fields = view.fields.map(
    (f) => `${historicalExpr(sourceColumnOf(source, f.name), f.dtype)} AS ${quoteIdent(f.name)}`,
  );
  const fieldNames = view.fields.map((f) => `f.${quoteIdent(f.name)}`);
  return [
    `SELECT e.${ORD}${fieldNames.map((f) => `, ${f}`).join("")}`,
    `FROM unnest(${unnest.join(", ")}) WITH ORDINALITY AS e(${entityCols.join(", ")})`,
    "LEFT JOIN LATERAL (",
    `  SELECT ${fields.length > 0 ? fields.join(", ") : "1 AS __one"}`,
    `  FROM ${sourceRelation(source)}`,
    `  WHERE ${where.join("\n    AND ")}`,
    `  ORDER BY ${order.join(", ")}`,
    "  LIMIT 1",
    ") f ON true",
    `ORDER BY e.${ORD}`,
  ].join("\n");
}

/** The bind values of pointInTimeQuery for these entity rows. */
export function pointInTimeValues(
  view: PitView,
  keys: Record<string, unknown[]>,
  times: readonly string[],
): unknown[] {
  const values: unknown[] = view.joinKeys.map((k) => {
    const column = keys[k.name] ?? [];
    return k.valueType === "bytes"
      ? column.map((v) => (typeof v === "string" ? Buffer.from(v, "base64") : v))
      : column.map((v) => (typeof v === "number" || typeof v === "bigint" ? String(v) : v));
  });
  values.push(times);
  if (view.ttlSeconds > 0) values.push(view.ttlSeconds);
  return values;
}

export type { BuiltQuery };
