import "server-only";
import pg from "pg";
import { InvalidError } from "../core/errors";
import { entityKey } from "../online/entity-key";
import { CREATED_TS, EVENT_TS, type ViewColumns } from "./source-query";
import { toJoinKeyValue, toOnlineValue } from "./value-conversion";

/**
 * Turning the rows of a latest-per-entity scan into SourceRows, fast: a materialization converts
 * every row of a view, so the work per row is decided once per view, and timestamps (two per row
 * at least) are parsed without a regular expression. The values are exactly those of the general
 * conversions (value-conversion.ts, entityKey, pg's own timestamp parser); the unit tests compare
 * them.
 */

/** One entity's latest row in a window, ready for the online store. */
export interface SourceRow {
  entityKey: string;
  joinKeys: Record<string, string | number>;
  /** Feature name -> online value (see value-conversion.ts). */
  values: Record<string, unknown>;
  eventTs: Date;
  createdTs: Date | null;
}

/** The SourceRow of one scan row (pg's shapes: see source-query.ts's casts). */
export type SourceRowConverter = (r: Record<string, unknown>) => SourceRow;

/** A view's scan-row converter. */
export function sourceRowConverter(view: ViewColumns): SourceRowConverter {
  const keys = view.joinKeys.map((k) => ({ name: k.name, valueType: k.valueType }));
  const fields = view.fields.map((f) => ({ name: f.name, dtype: f.dtype }));
  const single = keys.length === 1 ? keys[0] : undefined;
  // entityKey({ [name]: v }) is JSON.stringify([[name, String(v)]]): with one join key, its
  // opening is the same for every row.
  const opening = single ? `[[${JSON.stringify(single.name)},` : "";
  return (r) => {
    const joinKeys: Record<string, string | number> = {};
    for (const k of keys) joinKeys[k.name] = toJoinKeyValue(r[k.name], k.valueType, k.name);
    const values: Record<string, unknown> = {};
    for (const f of fields) values[f.name] = toOnlineValue(r[f.name], f.dtype, f.name);
    const eventTs = r[EVENT_TS];
    const createdTs = r[CREATED_TS];
    if (!(eventTs instanceof Date) || Number.isNaN(eventTs.getTime()))
      throw new InvalidError(`a source row for ${JSON.stringify(joinKeys)} has no valid event timestamp`);
    return {
      entityKey: single
        ? `${opening}${JSON.stringify(String(joinKeys[single.name]))}]]`
        : entityKey(joinKeys),
      joinKeys,
      values,
      eventTs,
      createdTs: createdTs instanceof Date ? createdTs : null,
    };
  };
}

const TIMESTAMPTZ_OID = 1184;

/**
 * A timestamptz as a UTC session prints it (`2026-01-01 10:00:00.123456+00`, the fraction
 * optional) parsed by hand; anything else (other offsets, years beyond 9999, BC, infinity) goes to
 * pg's parser. The result is the same Date: milliseconds as pg computes them (1000 × the fraction,
 * truncated by Date.UTC), and years 0–99 kept as such.
 */
export function parseUtcTimestamptz(text: string, fallback: (text: string) => unknown): unknown {
  const n = text.length;
  if (
    n < 22 ||
    text.charCodeAt(n - 3) !== 43 || // +
    text.charCodeAt(n - 2) !== 48 || // 0
    text.charCodeAt(n - 1) !== 48 || // 0
    text.charCodeAt(4) !== 45 || // -
    text.charCodeAt(7) !== 45 ||
    text.charCodeAt(10) !== 32 || // space
    text.charCodeAt(13) !== 58 || // :
    text.charCodeAt(16) !== 58 ||
    (n > 22 && text.charCodeAt(19) !== 46) // .
  )
    return fallback(text);
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return fallback(text);
  let ms = 0;
  if (n > 22) {
    if (n === 23 || digits(text, 20, n - 23) < 0) return fallback(text);
    ms = 1000 * Number.parseFloat(text.slice(19, n - 3));
  }
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms));
  // Date.UTC takes years 0-99 as 1900-1999.
  if (year < 100) date.setUTCFullYear(year);
  return date;
}

/** The decimal number of `count` digits at `from`, or -1 when one is not a digit. */
function digits(text: string, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/**
 * pg's type parsers for scan queries: the process's own (pg.types, with whatever it set), except
 * the fast timestamptz parser above.
 */
export const SCAN_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") => {
    if (oid === TIMESTAMPTZ_OID && format !== "binary") return parseTimestamptz;
    return format === "binary" ? pg.types.getTypeParser(oid, "binary") : pg.types.getTypeParser(oid);
  }) as typeof pg.types.getTypeParser,
};

function parseTimestamptz(text: string): unknown {
  return parseUtcTimestamptz(text, pgTimestamptz);
}

/** pg's own parser, looked up when needed (the process may have replaced it). */
function pgTimestamptz(text: string): unknown {
  return pg.types.getTypeParser(TIMESTAMPTZ_OID)(text);
}
