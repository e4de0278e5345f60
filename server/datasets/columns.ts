import "server-only";
import type { ScalarType, ValueType } from "../registry/schemas";

/**
 * The typed columns of a dataset: entity columns (join keys), event_timestamp, then features, each
 * with the value type it is stored as. Pure: the Postgres and DuckDB type of each value type, and
 * back, so stored rows read back in the forms the historical API answers with.
 */
export interface DatasetColumn {
  name: string;
  dtype: ValueType;
  role: "key" | "time" | "feature";
}

const PG_SCALAR: Record<ScalarType, string> = {
  int32: "integer",
  int64: "bigint",
  float32: "real",
  float64: "double precision",
  string: "text",
  bool: "boolean",
  bytes: "bytea",
  unix_timestamp: "timestamptz",
};

const DUCK_SCALAR: Record<ScalarType, string> = {
  int32: "INTEGER",
  int64: "BIGINT",
  float32: "FLOAT",
  float64: "DOUBLE",
  string: "VARCHAR",
  bool: "BOOLEAN",
  bytes: "BLOB",
  unix_timestamp: "TIMESTAMP WITH TIME ZONE",
};

function scalarOf(dtype: ValueType): { scalar: ScalarType; list: boolean } {
  return dtype.startsWith("list<")
    ? { scalar: dtype.slice(5, -1) as ScalarType, list: true }
    : { scalar: dtype as ScalarType, list: false };
}

export function pgTypeOf(dtype: ValueType): string {
  const { scalar, list } = scalarOf(dtype);
  return `${PG_SCALAR[scalar]}${list ? "[]" : ""}`;
}

/** pg type oids of the stored columns (and their arrays). */
const PG_OIDS: Record<number, ValueType> = {
  23: "int32",
  20: "int64",
  700: "float32",
  701: "float64",
  25: "string",
  16: "bool",
  17: "bytes",
  1184: "unix_timestamp",
  1007: "list<int32>",
  1016: "list<int64>",
  1021: "list<float32>",
  1022: "list<float64>",
  1009: "list<string>",
  1000: "list<bool>",
  1001: "list<bytes>",
  1185: "list<unix_timestamp>",
};

/** The value type of a stored table column, by its pg type oid (undefined: not a dataset's). */
export function dtypeOfPgOid(oid: number): ValueType | undefined {
  return PG_OIDS[oid];
}

/** The value type of a Parquet column as DuckDB describes it (undefined: not a dataset's). */
export function dtypeOfDuckType(type: string): ValueType | undefined {
  const list = type.endsWith("[]");
  const base = list ? type.slice(0, -2) : type;
  const scalar = (Object.entries(DUCK_SCALAR) as [ScalarType, string][]).find(([, t]) => t === base)?.[0];
  if (!scalar) return undefined;
  return (list ? `list<${scalar}>` : scalar) as ValueType;
}

/** The SQL format of an instant with its microseconds, as the historical API answers. */
export const PG_INSTANT = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;
export const DUCK_INSTANT = `'%Y-%m-%dT%H:%M:%S.%fZ'`;

/**
 * A Postgres select expression reading a stored column in a form toAnswerValue finishes: int64 as
 * text (no rounding through a JS number), bytes as base64, instants formatted in SQL.
 */
export function pgReadExpr(quoted: string, dtype: ValueType): string {
  const iso = (x: string) => `to_char(${x} AT TIME ZONE 'UTC', ${PG_INSTANT})`;
  switch (dtype) {
    case "int64":
      return `${quoted}::text`;
    case "list<int64>":
      return `${quoted}::text[]`;
    case "bytes":
      return `encode(${quoted}, 'base64')`;
    case "list<bytes>":
      return `(SELECT array_agg(encode(x, 'base64') ORDER BY i) FROM unnest(${quoted}) WITH ORDINALITY AS u(x, i))`;
    case "unix_timestamp":
      return iso(quoted);
    case "list<unix_timestamp>":
      return `(SELECT array_agg(${iso("x")} ORDER BY i) FROM unnest(${quoted}) WITH ORDINALITY AS u(x, i))`;
    default:
      return quoted;
  }
}

/** The same for DuckDB over a Parquet file. */
export function duckReadExpr(quoted: string, dtype: ValueType): string {
  const iso = (x: string) => `strftime(CAST(${x} AS TIMESTAMP), ${DUCK_INSTANT})`;
  switch (dtype) {
    case "int64":
      return `CAST(${quoted} AS VARCHAR)`;
    case "list<int64>":
      return `list_transform(${quoted}, x -> CAST(x AS VARCHAR))`;
    // A FLOAT read as a JS number shows its binary error (0.10000000149...); its text is Postgres's.
    case "float32":
      return `CAST(${quoted} AS VARCHAR)`;
    case "list<float32>":
      return `list_transform(${quoted}, x -> CAST(x AS VARCHAR))`;
    case "bytes":
      return `to_base64(${quoted})`;
    case "list<bytes>":
      return `list_transform(${quoted}, x -> to_base64(x))`;
    case "unix_timestamp":
      return iso(quoted);
    case "list<unix_timestamp>":
      return `list_transform(${quoted}, x -> ${iso("x")})`;
    default:
      return quoted;
  }
}

/**
 * A value as the historical API answers it, from what pgReadExpr or duckReadExpr selected: int64
 * a number when safe else its decimal string; floats numbers (NaN and infinities null); bytes
 * base64; instants ISO strings with microseconds; lists element by element.
 */
export function toAnswerValue(value: unknown, dtype: ValueType): unknown {
  if (value === null || value === undefined) return null;
  if (dtype.startsWith("list<")) {
    const items = listItems(value);
    if (!items) return null;
    const element = dtype.slice(5, -1) as ScalarType;
    return items.map((v) => toAnswerValue(v, element));
  }
  switch (dtype as ScalarType) {
    case "int64": {
      const text = String(value);
      const n = Number(text);
      return Number.isSafeInteger(n) ? n : text;
    }
    case "int32":
      return Number(value);
    case "float32":
    case "float64": {
      const n = typeof value === "number" ? value : Number(value);
      return Number.isFinite(n) ? n : null;
    }
    case "bool":
      return Boolean(value);
    default:
      return String(value);
  }
}

/** pg gives arrays; DuckDB list values carry `items`. */
function listItems(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  const items = (value as { items?: unknown } | null)?.items;
  return Array.isArray(items) ? items : undefined;
}

/**
 * A value as a bind parameter of its Postgres column: bytes from base64 to a Buffer (lists too);
 * everything else as the answer holds it (int64 strings and ISO instants Postgres parses exactly).
 */
export function toPgParam(value: unknown, dtype: ValueType): unknown {
  if (value === null || value === undefined) return null;
  if (dtype === "bytes") return Buffer.from(String(value), "base64");
  if (dtype === "list<bytes>" && Array.isArray(value))
    return value.map((v) => (v === null || v === undefined ? null : Buffer.from(String(v), "base64")));
  return value;
}
