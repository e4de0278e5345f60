import fs from "node:fs";
import path from "node:path";
import { duckString, withDuckDb } from "../../server/offline/duckdb";

/**
 * Writing the same rows as Parquet (through DuckDB) and as CSV, for tests of file sources. Values
 * are given as DuckDB SQL expressions for Parquet (`duck.*` builds them) and as cell texts for CSV
 * (null: an empty unquoted field, which reads as NULL; a string: a quoted field).
 */

export interface DuckColumn {
  name: string;
  /** DuckDB type, e.g. BIGINT, TIMESTAMPTZ, VARCHAR[] */
  type: string;
}

export const duck = {
  null: "NULL",
  /** A literal of the type, from its text. */
  cast: (text: string | null, type: string) =>
    text === null ? "NULL" : `CAST(${duckString(text)} AS ${type})`,
  base64: (b64: string | null) => (b64 === null ? "NULL" : `from_base64(${duckString(b64)})`),
  /** A list from its JSON text, elements of `element` type. */
  list: (json: string | null, element: string) =>
    json === null ? "NULL" : `from_json(${duckString(json)}, '["${element}"]')`,
};

/** Writes a Parquet file at `abs` (its folder is created) with these columns and rows. */
export async function writeParquet(abs: string, columns: DuckColumn[], rows: string[][]): Promise<void> {
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  await withDuckDb({ allowedDirs: [path.dirname(abs)], timeoutMs: 30_000 }, async (conn) => {
    await conn.run(`CREATE TABLE t (${columns.map((c) => `"${c.name}" ${c.type}`).join(", ")})`);
    for (let i = 0; i < rows.length; i += 500) {
      const values = rows.slice(i, i + 500).map((r) => `(${r.join(", ")})`);
      await conn.run(`INSERT INTO t VALUES ${values.join(", ")}`);
    }
    await conn.run(`COPY t TO ${duckString(abs)} (FORMAT parquet)`);
  });
}

/** A CSV cell: null is empty (NULL), text is quoted (so "" is an empty string). */
export function csvCell(value: string | null, quoted = true): string {
  if (value === null) return "";
  return quoted ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Writes a CSV file at `abs` with a header row; cells are already written by csvCell. */
export function writeCsv(abs: string, header: string[], rows: string[][]): void {
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  fs.writeFileSync(abs, [header.join(","), ...rows.map((r) => r.join(","))].map((l) => `${l}\n`).join(""));
}

/**
 * A source column written three ways from one row type: a Postgres table, a Parquet file and a CSV
 * file (writeSource), so tests can compare what the engines make of the same rows.
 */
export interface SourceColumn<R> {
  name: string;
  pgType: string;
  duckType: string;
  /** The value as text (Postgres casts it; DuckDB and the CSV write it), null for NULL. */
  text: (r: R) => string | null;
  /** How Postgres makes the value from the text in `x`; default: a cast to pgType. */
  pg?: (x: string) => string;
  /** The Parquet writer's expression from the text; default: a cast to duckType. */
  duck?: (text: string | null) => string;
  /** CSV: quoted (text, JSON, base64) or not (numbers, times, booleans). */
  quoted: boolean;
}

/** Postgres: an array of `type` from the JSON array text in `x` (NULL stays NULL, order kept). */
export const pgJsonArray = (x: string, type: string) =>
  `case when ${x} is null then null else array(select e::${type} from jsonb_array_elements_text(${x}::jsonb) with ordinality as a(e, i) order by i) end`;

/**
 * Writes the rows as the table `table` ("schema.name", created again) through `admin` (the offline
 * database's administrator), and as `<base>.parquet` and `<base>.csv` (absolute, without extension).
 */
export async function writeSource<R>(
  admin: { query(text: string, values?: unknown[]): Promise<unknown> },
  table: string,
  base: string,
  columns: readonly SourceColumn<R>[],
  rows: readonly R[],
): Promise<void> {
  await admin.query(
    `drop table if exists ${table}; create table ${table} (${columns.map((c) => `${c.name} ${c.pgType}`).join(", ")})`,
  );
  if (rows.length > 0)
    await admin.query(
      `insert into ${table} (${columns.map((c) => c.name).join(", ")})
       select ${columns.map((c, i) => (c.pg ? c.pg(`c${i}`) : `c${i}::${c.pgType}`)).join(", ")}
       from unnest(${columns.map((_, i) => `$${i + 1}::text[]`).join(", ")}) as u(${columns.map((_, i) => `c${i}`).join(", ")})`,
      columns.map((c) => rows.map(c.text)),
    );
  await writeParquet(
    `${base}.parquet`,
    columns.map((c) => ({ name: c.name, type: c.duckType })),
    rows.map((r) => columns.map((c) => (c.duck ?? ((x) => duck.cast(x, c.duckType)))(c.text(r)))),
  );
  writeCsv(
    `${base}.csv`,
    columns.map((c) => c.name),
    rows.map((r) => columns.map((c) => csvCell(c.text(r), c.quoted))),
  );
}
