import type { ScalarType, ValueType } from "../core/vocabulary";

/**
 * Which source column types may feed a feature of each declared type (docs/adr/0025). A column
 * type is Postgres's name for it (server/offline/column-types.ts maps Postgres oids and DuckDB's
 * types onto these names); a list type `list<t>` takes an array of a column type that `t` takes.
 *
 * - exact: the value arrives as it is stored.
 * - safe: a cast that loses nothing: a narrower integer widened, an integer or a narrower float to
 *   a double (every int32 and float32 is exactly a float64), varchar/char/uuid as text, a timestamp
 *   without zone read as UTC, a date as its midnight UTC.
 * Anything else (bigint or numeric to a float, a float to an integer, a number to a string, json
 * to anything) is refused, naming the types that would be accepted.
 */
const ACCEPTED: Record<ScalarType, { exact: readonly string[]; safe: Readonly<Record<string, string>> }> = {
  int32: { exact: ["integer"], safe: { smallint: "smallint widened to int32" } },
  int64: {
    exact: ["bigint"],
    safe: { integer: "integer widened to int64", smallint: "smallint widened to int64" },
  },
  float32: { exact: ["real"], safe: { smallint: "smallint as float32 (exact)" } },
  float64: {
    exact: ["double precision"],
    safe: {
      real: "real widened to float64",
      integer: "integer as float64 (exact)",
      smallint: "smallint as float64 (exact)",
    },
  },
  string: {
    exact: ["text", "varchar"],
    safe: { char: "char as string", uuid: "uuid as its text", numeric: "numeric as its exact decimal text" },
  },
  bool: { exact: ["boolean"], safe: {} },
  bytes: { exact: ["bytea"], safe: {} },
  unix_timestamp: {
    exact: ["timestamptz"],
    safe: { timestamp: "timestamp without time zone read as UTC", date: "date as midnight UTC" },
  },
};

export type TypeCheck =
  | { ok: true; match: "exact"; columnType: string }
  | { ok: true; match: "safe_cast"; columnType: string; cast: string }
  | { ok: false; columnType: string; accepted: string[] };

function element(dtype: ValueType): { scalar: ScalarType; list: boolean } {
  return dtype.startsWith("list<")
    ? { scalar: dtype.slice(5, -1) as ScalarType, list: true }
    : { scalar: dtype as ScalarType, list: false };
}

/** The column types a feature of this type accepts, exact ones first. */
export function acceptedColumnTypes(dtype: ValueType): string[] {
  const { scalar, list } = element(dtype);
  const rule = ACCEPTED[scalar];
  return [...rule.exact, ...Object.keys(rule.safe)].map((t) => (list ? `${t}[]` : t));
}

/** Whether a column of `columnType` may feed a feature declared `dtype`, and how. */
export function checkColumnType(dtype: ValueType, columnType: string): TypeCheck {
  const { scalar, list } = element(dtype);
  const isArray = columnType.endsWith("[]");
  const accepted = acceptedColumnTypes(dtype);
  if (list !== isArray) return { ok: false, columnType, accepted };
  const base = isArray ? columnType.slice(0, -2) : columnType;
  const rule = ACCEPTED[scalar];
  if (rule.exact.includes(base)) return { ok: true, match: "exact", columnType };
  const cast = rule.safe[base];
  if (cast) return { ok: true, match: "safe_cast", columnType, cast: list ? `each element: ${cast}` : cast };
  return { ok: false, columnType, accepted };
}

/** Feature types a CSV source's scan reads as text and parses (server/offline/file-query.ts csvTextColumns). */
function readAsCsvText(dtype: ValueType): boolean {
  return dtype === "string" || dtype === "bytes" || dtype === "int64" || dtype.startsWith("list<");
}

/**
 * checkColumnType for a column of a CSV file, whose types are only DuckDB's guesses: the dtypes a
 * scan reads as text (and parses, refusing a value that is not one) are accepted whatever the
 * guess; the others are checked against the guessed type.
 */
export function checkCsvColumnType(dtype: ValueType, columnType: string): TypeCheck {
  if (readAsCsvText(dtype))
    return { ok: true, match: "safe_cast", columnType, cast: `CSV text parsed as ${dtype} when read` };
  return checkColumnType(dtype, columnType);
}

/** The feature types a column of this type may feed (for messages: "declare it as …"). */
export function dtypesAccepting(columnType: string, dtypes: readonly ValueType[]): ValueType[] {
  return dtypes.filter((d) => checkColumnType(d, columnType).ok);
}
