import "server-only";
import { InvalidError, isDomainError } from "../core/errors";
import { checkQuerySource } from "../offline/sandbox";
import { quoteIdent, type SourceDef } from "../offline/source-query";
import { TABLE_NAME_PATTERN } from "../registry/schemas";
import { type Analysis, AnalysisError, analyzeSelect } from "./analyze";

/**
 * A transformation's SQL from text to what runs (docs/adr/0035-batch-transformations.md):
 *
 * 1. The query-source sandbox (server/offline/sandbox.ts) checks it: one plain SELECT, no denied
 *    function, no system catalog, at most 10,000 characters.
 * 2. The real Postgres parser gives its tree; analyze.ts finds the source names it reads (each must
 *    be a data source of the project), its column lineage and whether it may run incrementally.
 * 3. `bindSources` wraps it so the names mean the sources:
 *    `WITH "trips" AS (SELECT * FROM "demo"."trips") SELECT * FROM (<sql>) AS q`. A CTE of the
 *    query's own with a source's name shadows the source inside the query, as SQL scoping says.
 */

export type ParsedSelect = { text: string; tree: Record<string, unknown> };

type LibPgQuery = typeof import("libpg-query");
let parser: Promise<LibPgQuery> | undefined;

function loadParser(): Promise<LibPgQuery> {
  parser ??= import("libpg-query").catch((e: unknown) => {
    parser = undefined;
    throw e;
  });
  return parser;
}

/** The field errors about the SQL name. */
export const SQL_FIELD = "sql";

/** Checks the SQL with the sandbox and parses it; throws InvalidError (field "sql"). */
export async function parseTransformationSql(sql: string): Promise<ParsedSelect> {
  let text: string;
  try {
    text = await checkQuerySource(sql);
  } catch (e) {
    if (isDomainError(e) && e.code === "INVALID")
      throw new InvalidError(e.message.replace(/^query: /, `${SQL_FIELD}: `), SQL_FIELD);
    throw e;
  }
  const { parse } = await loadParser();
  const result = await parse(text);
  const stmt = result.stmts?.[0]?.stmt as Record<string, unknown> | undefined;
  const tree = stmt?.SelectStmt as Record<string, unknown> | undefined;
  if (!tree) throw new InvalidError(`${SQL_FIELD}: only a SELECT is allowed`, SQL_FIELD);
  return { text, tree };
}

/**
 * analyzeSelect with its errors as 400s on the "sql" field, positions as 1-based characters.
 * `sources`: every data source name of the project, with its columns when known.
 */
export function analyze(
  parsed: ParsedSelect,
  sources: ReadonlyMap<string, readonly string[] | null>,
): Analysis {
  try {
    return analyzeSelect(parsed.tree, sources);
  } catch (e) {
    if (!(e instanceof AnalysisError)) throw e;
    const at = e.at === undefined ? "" : ` (at position ${charPosition(parsed.text, e.at)})`;
    throw new InvalidError(`${SQL_FIELD}: ${e.message}${at}`, SQL_FIELD);
  }
}

function charPosition(text: string, byteOffset: number): number {
  const bytes = new TextEncoder().encode(text);
  return new TextDecoder().decode(bytes.subarray(0, byteOffset)).length + 1;
}

/** The relation a source's name is bound to in Postgres: its table, or its (sandboxed) query. */
export function postgresBinding(source: SourceDef): string {
  if (source.kind === "table") {
    const table = source.tableName ?? "";
    if (!TABLE_NAME_PATTERN.test(table))
      throw new Error(`data source "${source.name}" has an invalid table name ${JSON.stringify(table)}`);
    return `SELECT * FROM ${table.split(".").map(quoteIdent).join(".")}`;
  }
  if (source.kind === "query") return `SELECT * FROM (\n${source.query ?? ""}\n) AS src`;
  throw new Error(`data source "${source.name}" is a file source: DuckDB binds it`);
}

/**
 * `WITH <name> AS (<binding>), … SELECT * FROM (<sql>) AS q`. The bindings come already admitted
 * (space.ts) for the engine that runs them. The newlines keep a trailing `-- comment` in the user's
 * SQL from swallowing the parenthesis.
 */
export function bindSources(sql: string, bindings: readonly { name: string; relation: string }[]): string {
  const ctes = bindings.map((b) => `${quoteIdent(b.name)} AS (\n${b.relation}\n)`);
  const body = `SELECT * FROM (\n${sql}\n) AS q`;
  return ctes.length > 0 ? `WITH ${ctes.join(",\n")}\n${body}` : body;
}
