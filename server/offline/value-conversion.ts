import "server-only";
import { InvalidError } from "../core/errors";
import type { ScalarType, ValueType } from "../registry/schemas";

/**
 * Turns a value read from an offline source (as pg parses it, after the casts in source-query.ts)
 * into the JSON-friendly form the online store keeps:
 * - int64: a number when it is a safe integer, else its decimal string (never a rounded number);
 * - float32/float64: numbers (numeric columns arrive as strings); NaN and ±Infinity become null,
 *   as JSON has no way to write them;
 * - bytes: base64; unix_timestamp: ISO-8601 string in UTC; lists: arrays of converted elements.
 * A value whose shape cannot be the declared type is refused naming the feature.
 */
export function toOnlineValue(value: unknown, dtype: ValueType, feature: string): unknown {
  if (value === null || value === undefined) return null;
  if (dtype.startsWith("list<")) {
    if (!Array.isArray(value))
      throw new InvalidError(
        `feature "${feature}" is declared ${dtype} but its source column is not an array`,
      );
    const element = dtype.slice(5, -1) as ScalarType;
    return value.map((v) => (v === null || v === undefined ? null : scalar(v, element, feature)));
  }
  return scalar(value, dtype as ScalarType, feature);
}

function scalar(value: unknown, dtype: ScalarType, feature: string): unknown {
  switch (dtype) {
    case "int64":
      return int64(value, feature);
    case "int32":
      return typeof value === "string" ? finiteNumber(Number(value)) : value;
    case "float32":
    case "float64":
      if (typeof value === "number") return finiteNumber(value);
      if (typeof value === "string") return finiteNumber(Number(value));
      return value;
    case "string":
      return typeof value === "string" ? value : String(value);
    case "bool":
      return value;
    case "bytes":
      if (Buffer.isBuffer(value)) return value.toString("base64");
      return typeof value === "string" ? value : String(value);
    case "unix_timestamp":
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
      // pg gives ±Infinity for 'infinity' timestamps: no instant to report.
      if (typeof value === "number" && !Number.isFinite(value)) return null;
      throw new InvalidError(
        `feature "${feature}" is declared unix_timestamp but its source value is not a time`,
      );
  }
}

function finiteNumber(n: number): number | null {
  return Number.isFinite(n) ? n : null;
}

const INTEGER = /^-?\d+$/;

function int64(value: unknown, feature: string): number | string {
  if (typeof value === "number") return value;
  if (typeof value === "bigint")
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  const text = String(value);
  if (!INTEGER.test(text)) {
    // A numeric column with a fraction: keep its exact text rather than invent an integer.
    if (/^-?\d+(\.\d+)?$/.test(text)) return text;
    throw new InvalidError(`feature "${feature}" is declared int64 but holds ${JSON.stringify(text)}`);
  }
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}

/** A join key value as the entity key wants it: int64 and numbers as strings or numbers, bytes as base64. */
export function toJoinKeyValue(value: unknown, valueType: ValueType, joinKey: string): string | number {
  if (value === null || value === undefined) throw new InvalidError(`join key "${joinKey}" is null`);
  if (Buffer.isBuffer(value)) return value.toString("base64");
  if (typeof value === "number" || typeof value === "string")
    return valueType === "int64" ? int64(value, joinKey) : value;
  return String(value);
}
