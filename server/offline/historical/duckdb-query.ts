import "server-only";
import type { JoinKeyType } from "../../registry/schemas";
import { type FileColumns, KEY_TYPE, keyJoinExpr, microsExpr, valueExpr } from "../file-query";
import { quoteIdent, sourceColumnOf } from "../source-query";
import type { PitView } from "./query";

/**
 * Point-in-time SQL for DuckDB over a file source (docs/adr/0022-point-in-time-retrieval.md, "File
 * sources and the DuckDB engine"). Pure: no I/O. Same rule as query.ts: for each entity row (keys,
 * t) the source row with equal keys and event_ts <= t (and >= t - ttl when ttl > 0) with the greatest
 * event_ts; a tie goes to the greater created, a NULL created loses; no row: nulls.
 *
 * DuckDB's ASOF LEFT JOIN finds, per entity row, the source row with equal keys and the greatest
 * event_ts <= t, but picks any one of rows tied on event_ts and knows no lower bound. So:
 * 1. the source keeps one row per (keys, event_ts): the greatest created, NULLs last (QUALIFY);
 * 2. the ASOF join matches each entity row to that row;
 * 3. when ttl > 0, values whose row is older than t - ttl become NULL: the greatest event_ts <= t
 *    being older than the window means no row is in it.
 * Source rows after the latest t, or (ttl > 0) before the earliest t - ttl, can never answer and are
 * dropped before the deduplication.
 *
 * The entity rows are a table (ENTITY_TABLE: __ord, __ts in epoch microseconds, one column per join
 * key as KEY_TYPE) that the engine fills with DuckDB's appender; the answer comes in __ord order.
 */

export const ENTITY_TABLE = "__entities";
export const ORD = "__ord";
export const TS = "__ts";

/** The entity table's column of a join key (the engine numbers them across the request's views). */
export function entityKeyColumn(index: number): string {
  return `__k${index}`;
}

export function entityTableDdl(keyTypes: readonly JoinKeyType[]): string {
  const keys = keyTypes.map((t, i) => `${quoteIdent(entityKeyColumn(i))} ${KEY_TYPE[t]}`);
  return `CREATE TABLE ${quoteIdent(ENTITY_TABLE)} (${[`${ORD} BIGINT`, `${TS} BIGINT`, ...keys].join(", ")})`;
}

/**
 * $1: the ttl in microseconds when ttl > 0. `entityKeys[i]` is the entity table's column index of the
 * view's i-th join key. Columns: __ord, then each field under its own name (times as epoch
 * microseconds).
 */
export function duckPointInTimeQuery(
  view: PitView,
  columns: FileColumns,
  relation: string,
  entityKeys: readonly number[],
): string {
  if (view.joinKeys.length === 0) throw new Error("a point-in-time join needs at least one join key");
  const { source } = view;
  const col = (name: string) => {
    const column = sourceColumnOf(source, name);
    const type = columns.get(column);
    if (type === undefined) throw new Error(`the file has no column "${column}"`);
    return { ref: `src.${quoteIdent(column)}`, type };
  };
  const tsCol = col(source.timestampField);
  const ts = microsExpr(tsCol.ref, tsCol.type, `timestamp column "${source.timestampField}"`);
  const createdCol = source.createdTimestampField ? col(source.createdTimestampField) : null;
  const created = createdCol
    ? microsExpr(
        createdCol.ref,
        createdCol.type,
        `created timestamp column "${source.createdTimestampField}"`,
      )
    : null;
  const keys = view.joinKeys.map((k, i) => {
    const { ref, type } = col(k.name);
    return { expr: keyJoinExpr(ref, type, k.valueType), alias: quoteIdent(`__k${i}`) };
  });
  const fields = view.fields.map((f) => {
    const { ref, type } = col(f.name);
    return { expr: valueExpr(ref, type, f.dtype, f.name), alias: quoteIdent(f.name) };
  });
  const ttl = view.ttlSeconds > 0;
  const e = (c: string) => `e.${quoteIdent(c)}`;
  const entities = quoteIdent(ENTITY_TABLE);
  const bounds = [
    `${ts} <= (SELECT max(${quoteIdent(TS)}) FROM ${entities})`,
    ...(ttl ? [`${ts} >= (SELECT min(${quoteIdent(TS)}) FROM ${entities}) - $1`] : []),
  ];
  const answer = fields.map(({ alias }) =>
    ttl ? `CASE WHEN s.${quoteIdent(TS)} >= ${e(TS)} - $1 THEN s.${alias} END AS ${alias}` : `s.${alias}`,
  );
  const on = [
    ...keys.map(({ alias }, i) => {
      const column = entityKeys[i];
      if (column === undefined) throw new Error(`no entity table column for join key ${i}`);
      return `${e(entityKeyColumn(column))} = s.${alias}`;
    }),
    `${e(TS)} >= s.${quoteIdent(TS)}`,
  ];
  return [
    "WITH s AS (",
    `  SELECT ${[...keys.map((k) => `${k.expr} AS ${k.alias}`), `${ts} AS ${quoteIdent(TS)}`, ...fields.map((f) => `${f.expr} AS ${f.alias}`)].join(",\n    ")}`,
    `  FROM ${relation} AS src`,
    `  WHERE ${bounds.join("\n    AND ")}`,
    `  QUALIFY row_number() OVER (PARTITION BY ${[...keys.map((k) => k.expr), ts].join(", ")}${created ? ` ORDER BY ${created} DESC NULLS LAST` : ""}) = 1`,
    ")",
    `SELECT ${[e(ORD), ...answer].join(", ")}`,
    `FROM ${entities} AS e ASOF LEFT JOIN s`,
    `  ON ${on.join("\n  AND ")}`,
    `ORDER BY ${e(ORD)}`,
  ].join("\n");
}
