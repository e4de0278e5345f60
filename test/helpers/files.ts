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
