import { describe, expect, it } from "vitest";
import { VALUE_TYPES, type ValueType } from "../core/vocabulary";
import { duckdbColumnType, postgresColumnType } from "../offline/column-types";
import { acceptedColumnTypes, checkColumnType, dtypesAccepting } from "./type-compatibility";

/**
 * Written by hand from docs/adr/0025 (not from the table under test): each row is a column type,
 * a declared dtype and the expected outcome ("exact", "safe" or "refused").
 */
const CASES: [string, ValueType, "exact" | "safe" | "refused"][] = [
  ["integer", "int32", "exact"],
  ["smallint", "int32", "safe"],
  ["bigint", "int32", "refused"],
  ["bigint", "int64", "exact"],
  ["integer", "int64", "safe"],
  ["smallint", "int64", "safe"],
  ["numeric", "int64", "refused"],
  ["double precision", "int64", "refused"],
  ["real", "float32", "exact"],
  ["double precision", "float32", "refused"],
  ["integer", "float32", "refused"],
  ["double precision", "float64", "exact"],
  ["real", "float64", "safe"],
  ["integer", "float64", "safe"],
  ["bigint", "float64", "refused"],
  ["numeric", "float64", "refused"],
  ["numeric", "string", "safe"],
  ["text", "string", "exact"],
  ["varchar", "string", "exact"],
  ["char", "string", "safe"],
  ["uuid", "string", "safe"],
  ["integer", "string", "refused"],
  ["jsonb", "string", "refused"],
  ["boolean", "bool", "exact"],
  ["integer", "bool", "refused"],
  ["bytea", "bytes", "exact"],
  ["text", "bytes", "refused"],
  ["timestamptz", "unix_timestamp", "exact"],
  ["timestamp", "unix_timestamp", "safe"],
  ["date", "unix_timestamp", "safe"],
  ["bigint", "unix_timestamp", "refused"],
  ["double precision[]", "list<float64>", "exact"],
  ["real[]", "list<float64>", "safe"],
  ["double precision", "list<float64>", "refused"],
  ["double precision[]", "float64", "refused"],
  ["text[]", "list<string>", "exact"],
  ["oid 600", "string", "refused"],
];

describe("type compatibility", () => {
  it.each(CASES)("a %s column as %s is %s", (column, dtype, expected) => {
    const check = checkColumnType(dtype, column);
    const outcome = !check.ok ? "refused" : check.match === "exact" ? "exact" : "safe";
    expect(outcome).toBe(expected);
    if (check.ok && check.match === "safe_cast") expect(check.cast).toMatch(/\w/);
    if (!check.ok) expect(check.accepted).toEqual(acceptedColumnTypes(dtype));
  });

  it("names the types a column could be declared as", () => {
    expect(dtypesAccepting("integer", VALUE_TYPES)).toEqual(["int32", "int64", "float64"]);
    expect(dtypesAccepting("double precision", VALUE_TYPES)).toEqual(["float64"]);
    expect(dtypesAccepting("jsonb", VALUE_TYPES)).toEqual([]);
    expect(acceptedColumnTypes("list<int64>")).toEqual(["bigint[]", "integer[]", "smallint[]"]);
  });

  it("reads Postgres oids and DuckDB names into the same names", () => {
    expect(
      [20, 23, 701, 700, 25, 1043, 16, 1184, 1114, 1082, 1022, 1009, 600].map(postgresColumnType),
    ).toEqual([
      "bigint",
      "integer",
      "double precision",
      "real",
      "text",
      "varchar",
      "boolean",
      "timestamptz",
      "timestamp",
      "date",
      "double precision[]",
      "text[]",
      "oid 600",
    ]);
    expect(
      [
        "BIGINT",
        "INTEGER",
        "DOUBLE",
        "FLOAT",
        "VARCHAR",
        "BOOLEAN",
        "TIMESTAMP WITH TIME ZONE",
        "DECIMAL(10,2)",
        "DOUBLE[]",
        "MAP(VARCHAR, INTEGER)",
      ].map(duckdbColumnType),
    ).toEqual([
      "bigint",
      "integer",
      "double precision",
      "real",
      "text",
      "boolean",
      "timestamptz",
      "numeric",
      "double precision[]",
      "map(varchar, integer)",
    ]);
  });
});
