import type { ScalarType, ValueType } from "../core/vocabulary";

/**
 * Quiver value types as CEL types, and values between their stored forms and CEL's
 * (docs/adr/0036-on-demand-features.md, "Type mapping"). Integers are CEL `int` (a bigint), floats
 * `double`, unix_timestamp a `google.protobuf.Timestamp` (a Date), bytes a Uint8Array; a list is
 * a CEL list of its element's type.
 */

const SCALAR_CEL: Record<ScalarType, string> = {
  int32: "int",
  int64: "int",
  float32: "double",
  float64: "double",
  string: "string",
  bool: "bool",
  bytes: "bytes",
  unix_timestamp: "google.protobuf.Timestamp",
};

function elementOf(dtype: ValueType): ScalarType | undefined {
  return dtype.startsWith("list<") ? (dtype.slice(5, -1) as ScalarType) : undefined;
}

export function celTypeOf(dtype: ValueType): string {
  const element = elementOf(dtype);
  return element ? `list<${SCALAR_CEL[element]}>` : SCALAR_CEL[dtype as ScalarType];
}

/** A value could not be converted; `reason` says why, for the row's NULL_VALUE. */
export class ConversionError extends Error {}

/**
 * The longest list an expression is given (a longer one makes the row null, with the reason): with
 * the comprehension rules of engine.ts, an expression's cost is at most its nodes times this.
 */
export const MAX_LIST_ELEMENTS = 10_000;

const INT_RANGES = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
} as const;

/**
 * A stored value (online form: integers as numbers or decimal strings, timestamps as ISO text or
 * Dates, bytes as base64 or a Buffer; offline rows give the same or the driver's forms) as CEL
 * wants it. Never called with null: null inputs are caught before evaluation.
 */
export function toCel(dtype: ValueType, value: unknown): unknown {
  const element = elementOf(dtype);
  if (element) {
    if (!Array.isArray(value)) throw new ConversionError(`not a list: ${typeof value}`);
    if (value.length > MAX_LIST_ELEMENTS)
      throw new ConversionError(`a list of ${value.length} elements, more than ${MAX_LIST_ELEMENTS}`);
    return value.map((v) => {
      if (v === null || v === undefined) throw new ConversionError("a list element is null");
      return scalarToCel(element, v);
    });
  }
  return scalarToCel(dtype as ScalarType, value);
}

function scalarToCel(type: ScalarType, value: unknown): unknown {
  switch (type) {
    case "int32":
    case "int64":
      if (typeof value === "bigint") return value;
      if (typeof value === "number" && Number.isInteger(value)) return BigInt(value);
      if (typeof value === "string" && /^-?\d{1,20}$/.test(value)) return BigInt(value);
      throw new ConversionError(`not an integer: ${typeof value}`);
    case "float32":
    case "float64":
      if (typeof value === "number") return value;
      // Postgres numeric and float text, as some drivers hand them over.
      if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)))
        return Number(value);
      throw new ConversionError(`not a number: ${typeof value}`);
    case "string":
      if (typeof value === "string") return value;
      throw new ConversionError(`not a string: ${typeof value}`);
    case "bool":
      if (typeof value === "boolean") return value;
      throw new ConversionError(`not a bool: ${typeof value}`);
    case "bytes":
      if (value instanceof Uint8Array)
        return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
      if (typeof value === "string") return new Uint8Array(Buffer.from(value, "base64"));
      throw new ConversionError(`not bytes: ${typeof value}`);
    case "unix_timestamp": {
      const d =
        value instanceof Date
          ? value
          : typeof value === "string"
            ? new Date(value)
            : typeof value === "number"
              ? new Date(value * 1000)
              : undefined;
      if (!d || Number.isNaN(d.getTime())) throw new ConversionError("not a time");
      return d;
    }
  }
}

/**
 * A CEL result in Quiver's online form (what the online store returns for that dtype): integers
 * as numbers when safe, else decimal text; floats as finite numbers; timestamps as ISO text;
 * bytes as base64. Out of range or not finite is a ConversionError (the row gets NULL_VALUE).
 */
export function fromCel(dtype: ValueType, value: unknown): unknown {
  const element = elementOf(dtype);
  if (element) {
    if (!Array.isArray(value)) throw new ConversionError("the result is not a list");
    return value.map((v) => scalarFromCel(element, v));
  }
  return scalarFromCel(dtype as ScalarType, value);
}

function scalarFromCel(type: ScalarType, value: unknown): unknown {
  switch (type) {
    case "int32":
    case "int64": {
      if (typeof value !== "bigint") throw new ConversionError("the result is not an integer");
      const [min, max] = INT_RANGES[type];
      if (value < min || value > max) throw new ConversionError(`${type} overflow: ${value}`);
      const n = Number(value);
      return Number.isSafeInteger(n) ? n : value.toString();
    }
    case "float32":
    case "float64":
      if (typeof value !== "number") throw new ConversionError("the result is not a number");
      if (!Number.isFinite(value)) throw new ConversionError(`the result is not a finite number (${value})`);
      return value;
    case "string":
      if (typeof value !== "string") throw new ConversionError("the result is not a string");
      return value;
    case "bool":
      if (typeof value !== "boolean") throw new ConversionError("the result is not a bool");
      return value;
    case "bytes":
      if (!(value instanceof Uint8Array)) throw new ConversionError("the result is not bytes");
      return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64");
    case "unix_timestamp":
      if (!(value instanceof Date) || Number.isNaN(value.getTime()))
        throw new ConversionError("the result is not a time");
      return value.toISOString();
  }
}
