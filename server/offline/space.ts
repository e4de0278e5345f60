import "server-only";
import { ForbiddenError, InvalidError } from "../core/errors";
import type { OfflineSpace } from "./roles";
import { checkQuerySource } from "./sandbox";
import type { SourceDef } from "./source-query";
import type { OfflineStore } from "./store";

/**
 * The rules a source must keep to reach the offline store, checked when it is registered and again
 * before every statement built from it (a source stored before a rule existed gets no pass):
 * - a table source names a table of its project's offline space; an unqualified name means the
 *   project's first own schema;
 * - a query source is one plain SELECT (sandbox.ts), and only while query sources are switched on.
 * Postgres's grants enforce the same a second time: the statements run as the project's reader.
 */

export function qualifyTable(
  tableName: string,
  project: string,
  space: OfflineSpace,
): { schema: string; table: string } {
  const parts = tableName.split(".");
  const [first, second] = parts;
  const home = space.own[0];
  if (first === undefined || parts.length > 2 || home === undefined)
    throw new InvalidError(`tableName: ${JSON.stringify(tableName)} is not a table name`, "tableName");
  const schema = second === undefined ? home : first;
  const table = second ?? first;
  if (![...space.own, ...space.shared].includes(schema))
    throw new InvalidError(
      `tableName: a table source of project "${project}" may name only tables in its offline space (schemas ${describeSpace(space)}); "${tableName}" is outside it`,
      "tableName",
    );
  return { schema, table };
}

export function describeSpace(space: OfflineSpace): string {
  return [...space.own, ...space.shared.map((s) => `${s} (shared, read only)`)].join(", ");
}

export function querySourcesOff(): ForbiddenError {
  return new ForbiddenError(
    "query sources are switched off in this deployment (QUIVER_QUERY_SOURCES=off); use a table source",
  );
}

/**
 * The source as it may run: a table source with its schema-qualified table, or a query source whose
 * SQL passed the sandbox. Throws an InvalidError (ForbiddenError when query sources are off) naming
 * the rule otherwise.
 */
export async function admitSource<S extends SourceDef>(
  store: OfflineStore,
  project: string,
  source: S,
): Promise<S> {
  if (source.kind === "table") {
    const { schema, table } = qualifyTable(source.tableName ?? "", project, await store.space(project));
    return { ...source, tableName: `${schema}.${table}` };
  }
  if (!store.querySources) throw querySourcesOff();
  return { ...source, query: await checkQuerySource(source.query ?? "") };
}
