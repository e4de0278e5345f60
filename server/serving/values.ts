import "server-only";
import type { JoinKeyType, ScalarType, ValueType } from "../registry/schemas";

/**
 * Checks and converts the values REST callers send (JSON) into the forms the stores keep. Each
 * function returns `undefined` for a value the type cannot take; callers turn that into an
 * InvalidError naming the column and row. The online forms match what materialization writes
 * (server/offline/value-conversion.ts), so pushed and materialized rows read back alike.
 */

const INT_RANGES = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
} as const;

const DECIMAL = /^-?\d{1,20}$/;

/**
 * An integer of the given width from a JSON number or a decimal string. Safe integers come back as
 * numbers, larger int64 values as their canonical decimal string (a JSON number that large has
 * already been rounded by the parser, so it is refused).
 */
export function parseInteger(value: unknown, type: "int32" | "int64"): number | string | undefined {
  let n: bigint;
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) return undefined;
    n = BigInt(value);
  } else if (typeof value === "string" && DECIMAL.test(value)) {
    n = BigInt(value);
  } else return undefined;
  const [min, max] = INT_RANGES[type];
  if (n < min || n > max) return undefined;
  const asNumber = Number(n);
  return Number.isSafeInteger(asNumber) ? asNumber : n.toString();
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A join key value in the form entityKey() expects: canonical integers, strings, base64 bytes. */
export function parseJoinKey(value: unknown, type: JoinKeyType): string | number | undefined {
  switch (type) {
    case "int32":
    case "int64":
      return parseInteger(value, type);
    case "string":
      return typeof value === "string" ? value : undefined;
    case "bytes":
      return typeof value === "string" && BASE64.test(value) ? value : undefined;
  }
}

export const EXPECTED: Record<ScalarType, string> = {
  int32: "an int32 (an integer or a decimal string)",
  int64: "an int64 (an integer or a decimal string)",
  float32: "a number",
  float64: "a number",
  string: "a string",
  bool: "true or false",
  bytes: "base64 text",
  unix_timestamp: "an ISO-8601 time or Unix seconds",
};

export function expectedOf(type: ValueType): string {
  if (type.startsWith("list<")) return `a list of ${EXPECTED[type.slice(5, -1) as ScalarType]} (or nulls)`;
  return EXPECTED[type as ScalarType];
}

/** A feature value converted twice: for the online store, and as a bind parameter for the offline table. */
export interface Converted {
  online: unknown;
  offline: unknown;
}

/** Null is a value of every type (stored as null, read back as NULL_VALUE). */
export function parseFeatureValue(value: unknown, dtype: ValueType): Converted | undefined {
  if (value === null) return { online: null, offline: null };
  if (!dtype.startsWith("list<")) return scalar(value, dtype as ScalarType);
  if (!Array.isArray(value)) return undefined;
  const element = dtype.slice(5, -1) as ScalarType;
  const online: unknown[] = [];
  const offline: unknown[] = [];
  for (const v of value) {
    const c = v === null ? { online: null, offline: null } : scalar(v, element);
    if (!c) return undefined;
    online.push(c.online);
    offline.push(c.offline);
  }
  return { online, offline };
}

function scalar(value: unknown, type: ScalarType): Converted | undefined {
  switch (type) {
    case "int32":
    case "int64": {
      const n = parseInteger(value, type);
      return n === undefined ? undefined : { online: n, offline: n };
    }
    case "float32":
    case "float64":
      return typeof value === "number" && Number.isFinite(value)
        ? { online: value, offline: value }
        : undefined;
    case "string":
      return typeof value === "string" ? { online: value, offline: value } : undefined;
    case "bool":
      return typeof value === "boolean" ? { online: value, offline: value } : undefined;
    case "bytes":
      return typeof value === "string" && BASE64.test(value)
        ? { online: value, offline: Buffer.from(value, "base64") }
        : undefined;
    case "unix_timestamp": {
      const d = parseTimestamp(value);
      return d ? { online: d.toISOString(), offline: d } : undefined;
    }
  }
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * An instant from an ISO-8601 string (date, or date and time; no zone means UTC, as Feast does) or
 * from a number of Unix seconds. Fractions below a millisecond are dropped.
 */
export function parseTimestamp(value: unknown): Date | undefined {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return undefined;
    return validDate(new Date(Math.trunc(value * 1000)));
  }
  if (typeof value !== "string") return undefined;
  const m = ISO.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "", zone = "Z"] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = Number(frac.padEnd(3, "0").slice(0, 3));
  // setUTCFullYear, unlike Date.UTC, does not read years 0-99 as 1900-1999.
  const local = new Date(0);
  local.setUTCFullYear(year, month - 1, day);
  local.setUTCHours(hour, minute, second, ms);
  // 31 April would roll over to 1 May: refuse instead.
  if (local.getUTCDate() !== day) return undefined;
  return validDate(new Date(local.getTime() - offsetMinutes(zone) * 60_000));
}

function offsetMinutes(zone: string): number {
  if (zone === "Z" || zone === "z") return 0;
  const sign = zone.startsWith("-") ? -1 : 1;
  const digits = zone.slice(1).replace(":", "");
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || "0");
  return sign * (hours * 60 + minutes);
}

function validDate(d: Date): Date | undefined {
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Feast's event timestamp form: UTC, whole seconds, `Z`. */
export function isoSeconds(d: Date): string {
  const whole = new Date(Math.floor(d.getTime() / 1000) * 1000);
  return whole.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A value shown inside an error message, cut short. */
export function show(value: unknown): string {
  const text = value === undefined ? "nothing" : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
