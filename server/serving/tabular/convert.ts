import "server-only";
import type { ScalarType, ValueType } from "../../core/vocabulary";
import { type ColumnBatch, elementOf, type TabularColumn, TabularValueError } from "./columns";

/**
 * From the JSON form of a value (columns.ts) to the exact value a typed file holds. Each converter
 * returns undefined for a value its type cannot take; null is handled before. Nothing is rounded:
 * an int64 is a bigint from its decimal text, a time is a count of microseconds from its ISO text.
 */

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const DECIMAL = /^-?\d{1,20}$/;
const NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function toInt64(value: unknown): bigint | undefined {
  let n: bigint;
  if (typeof value === "bigint") n = value;
  else if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) return undefined;
    n = BigInt(value);
  } else if (typeof value === "string" && DECIMAL.test(value)) n = BigInt(value);
  else return undefined;
  return n >= INT64_MIN && n <= INT64_MAX ? n : undefined;
}

export function toInt32(value: unknown): number | undefined {
  const n =
    typeof value === "number"
      ? value
      : typeof value === "string" && DECIMAL.test(value)
        ? Number(value)
        : typeof value === "bigint"
          ? Number(value)
          : Number.NaN;
  return Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 ? n : undefined;
}

/** A number; a numeric string too (Postgres numerics arrive as text). */
export function toFloat(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && NUMBER.test(value)) return Number(value);
  return undefined;
}

export function toBool(value: unknown): boolean | undefined {
  return typeof value === "boolean" ? value : undefined;
}

export function toText(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** Bytes from base64 text (the JSON form) or as they are. */
export function toBytes(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value;
  if (typeof value === "string" && BASE64.test(value)) return Buffer.from(value, "base64");
  return undefined;
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Microseconds since 1970-01-01T00:00:00Z from an ISO 8601 string (a date, or a date and time; no
 * offset means UTC; digits past the sixth of a fraction are dropped, never rounded up), a Date
 * (milliseconds), or a number of Unix seconds.
 */
export function toMicros(value: unknown): bigint | undefined {
  if (value instanceof Date) {
    const ms = value.getTime();
    return Number.isNaN(ms) ? undefined : BigInt(ms) * 1000n;
  }
  if (typeof value === "number") return Number.isFinite(value) ? BigInt(Math.round(value * 1e6)) : undefined;
  if (typeof value !== "string") return undefined;
  const seconds = isoSeconds(value);
  return seconds === undefined ? undefined : BigInt(seconds) * 1_000_000n + BigInt(lastMicros);
}

/** The microseconds of the fraction isoSeconds last read (kept aside: no object per value). */
let lastMicros = 0;

/** Whole seconds since 1970 of an ISO 8601 string (its fraction's microseconds in lastMicros). */
function isoSeconds(value: string): number | undefined {
  const m = ISO.exec(value.trim());
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4] ?? 0);
  const minute = Number(m[5] ?? 0);
  const second = Number(m[6] ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const frac = m[7];
  lastMicros = frac === undefined ? 0 : Number(frac.length >= 6 ? frac.slice(0, 6) : frac.padEnd(6, "0"));
  return (
    daysSinceEpoch(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offsetMinutes(m[8]) * 60
  );
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Days from 1970-01-01 to a date of the proleptic Gregorian calendar: whole 400-year eras (146,097
 * days each) from 0000-03-01, with years starting in March so that February's leap day comes last.
 */
function daysSinceEpoch(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const monthFromMarch = month > 2 ? month - 3 : month + 9;
  const dayOfYear = Math.floor((153 * monthFromMarch + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function offsetMinutes(zone: string | undefined): number {
  if (zone === undefined || zone === "Z" || zone === "z") return 0;
  const sign = zone.startsWith("-") ? -1 : 1;
  const digits = zone.slice(1).replace(":", "");
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || "0"));
}

/** The converter of each scalar type. */
export const SCALAR: { [T in ScalarType]: (value: unknown) => unknown } = {
  int32: toInt32,
  int64: toInt64,
  float32: toFloat,
  float64: toFloat,
  string: toText,
  bool: toBool,
  bytes: toBytes,
  unix_timestamp: toMicros,
};

/**
 * Whether a value (not null) converts to a scalar type, without converting it (no bigint, no
 * decoded bytes): the check callers run over a whole answer before streaming it.
 */
const FITS: { [T in ScalarType]: (value: unknown) => boolean } = {
  int32: (v) => toInt32(v) !== undefined,
  int64: (v) =>
    typeof v === "number"
      ? Number.isSafeInteger(v)
      : typeof v === "string"
        ? DECIMAL.test(v) && (v.length < 19 || toInt64(v) !== undefined)
        : toInt64(v) !== undefined,
  float32: (v) => toFloat(v) !== undefined,
  float64: (v) => toFloat(v) !== undefined,
  string: (v) => typeof v === "string",
  bool: (v) => typeof v === "boolean",
  bytes: (v) => v instanceof Uint8Array || (typeof v === "string" && BASE64.test(v)),
  unix_timestamp: (v) => (typeof v === "string" ? isoSeconds(v) !== undefined : toMicros(v) !== undefined),
};

/** Whether a value (not null) converts to this type; lists check every element. */
export function converts(value: unknown, type: ValueType): boolean {
  const element = elementOf(type);
  if (!element) return FITS[type as ScalarType](value);
  if (!Array.isArray(value)) return false;
  const fits = FITS[element];
  for (const v of value) if (v !== null && v !== undefined && !fits(v)) return false;
  return true;
}

/**
 * The first value of a batch that its column's type cannot take, as an error to throw; `firstRow`
 * is the batch's first row in the whole table. Writers call this lazily; callers that must answer
 * 400 before streaming call it first.
 */
export function findInvalid(
  columns: readonly TabularColumn[],
  batch: ColumnBatch,
  firstRow = 0,
): TabularValueError | undefined {
  for (let c = 0; c < columns.length; c++) {
    const column = columns[c];
    const values = batch.values[c];
    if (!column || !values) continue;
    for (let r = 0; r < batch.rows; r++) {
      const v = values[r];
      if (v !== null && v !== undefined && !converts(v, column.type))
        return new TabularValueError(column.name, firstRow + r, column.type, v);
    }
  }
  return undefined;
}
