/**
 * A source column's type in one vocabulary whatever engine read it: Postgres's own names
 * (`integer`, `double precision`, `timestamptz`, `text[]` …). Postgres columns arrive as type oids
 * (a `LIMIT 0` probe's field descriptions), file columns as DuckDB's names (DESCRIBE). A type
 * outside these lists keeps a name of its own (`oid 600`, DuckDB's name in lower case), which no
 * feature type accepts. Pure: server/registry/type-compatibility.ts decides what each may feed.
 */

const SCALAR_OIDS: Record<number, string> = {
  16: "boolean",
  17: "bytea",
  19: "text", // name
  20: "bigint",
  21: "smallint",
  23: "integer",
  25: "text",
  114: "json",
  700: "real",
  701: "double precision",
  1042: "char",
  1043: "varchar",
  1082: "date",
  1114: "timestamp",
  1184: "timestamptz",
  1700: "numeric",
  2950: "uuid",
  3802: "jsonb",
};

const ARRAY_OIDS: Record<number, string> = {
  1000: "boolean",
  1001: "bytea",
  1005: "smallint",
  1007: "integer",
  1009: "text",
  1014: "char",
  1015: "varchar",
  1016: "bigint",
  1021: "real",
  1022: "double precision",
  1115: "timestamp",
  1182: "date",
  1185: "timestamptz",
  1231: "numeric",
  2951: "uuid",
};

/** The column type of a Postgres type oid. */
export function postgresColumnType(oid: number): string {
  const scalar = SCALAR_OIDS[oid];
  if (scalar) return scalar;
  const element = ARRAY_OIDS[oid];
  if (element) return `${element}[]`;
  return `oid ${oid}`;
}

const DUCKDB_SCALARS: Record<string, string> = {
  BOOLEAN: "boolean",
  TINYINT: "smallint",
  SMALLINT: "smallint",
  UTINYINT: "smallint",
  INTEGER: "integer",
  USMALLINT: "integer",
  BIGINT: "bigint",
  UINTEGER: "bigint",
  UBIGINT: "numeric",
  HUGEINT: "numeric",
  UHUGEINT: "numeric",
  FLOAT: "real",
  DOUBLE: "double precision",
  VARCHAR: "text",
  BLOB: "bytea",
  UUID: "uuid",
  JSON: "json",
  DATE: "date",
  TIMESTAMP: "timestamp",
  TIMESTAMP_S: "timestamp",
  TIMESTAMP_MS: "timestamp",
  TIMESTAMP_NS: "timestamp",
  "TIMESTAMP WITH TIME ZONE": "timestamptz",
};

/** The column type of a DuckDB type name (`BIGINT`, `DECIMAL(10,2)`, `DOUBLE[]`). */
export function duckdbColumnType(name: string): string {
  const upper = name.trim().toUpperCase();
  if (upper.endsWith("[]")) return `${duckdbColumnType(upper.slice(0, -2))}[]`;
  if (upper.startsWith("DECIMAL") || upper.startsWith("NUMERIC")) return "numeric";
  return DUCKDB_SCALARS[upper] ?? name.trim().toLowerCase();
}
