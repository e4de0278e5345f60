import "server-only";
import fs from "node:fs";
import path from "node:path";
import { ForbiddenError, InvalidError } from "../core/errors";
import { FILE_FORMATS } from "../core/vocabulary";
import type { OfflineSpace } from "./roles";
import { checkQuerySource } from "./sandbox";
import type { SourceDef } from "./source-query";
import type { OfflineStore } from "./store";

/**
 * The rules a source must keep to reach the offline store, checked when it is registered and again
 * before every statement built from it (a source stored before a rule existed gets no pass):
 * - a table source names a table of its project's offline space; an unqualified name means the
 *   project's first own schema;
 * - a query source is one plain SELECT (sandbox.ts), and only while query sources are switched on;
 * - a file source names a plain file (no symbolic link on the way) inside its project's file area.
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
 * The source as it may run: a table source with its schema-qualified table, a query source whose
 * SQL passed the sandbox, or a file source whose file is in the project's file area (admitFile).
 * Throws an InvalidError (ForbiddenError when query sources are off) naming the rule otherwise.
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
  if (source.kind === "file") {
    await admitFile(store, project, source);
    return source;
  }
  if (!store.querySources) throw querySourcesOff();
  return { ...source, query: await checkQuerySource(source.query ?? "") };
}

/**
 * The absolute path of a file source's file, after checking that it may be read: its path is
 * relative and stays inside the project's folder of the file area (FileArea.resolve), no part of
 * it is a symbolic link (a link inside the area could point anywhere, even at another project's
 * folder; DuckDB's allowed_directories compares path text, not where links lead), and it is a
 * regular file. The messages name only the relative path the source gives.
 */
export async function admitFile(
  store: OfflineStore,
  project: string,
  source: Pick<SourceDef, "path" | "fileFormat">,
): Promise<string> {
  const format = source.fileFormat;
  if (!format || !(FILE_FORMATS as readonly string[]).includes(format))
    throw new InvalidError(`fileFormat: must be one of ${FILE_FORMATS.join(", ")}`, "fileFormat");
  const rel = source.path ?? "";
  const target = store.files.resolve(project, rel, "path");
  const dir = store.files.dirOf(project);
  const shown = JSON.stringify(rel);
  let at = dir;
  for (const segment of rel.split("/")) {
    at = path.join(at, segment);
    const stat = await fs.promises.lstat(at).catch((e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT" || e.code === "ENOTDIR")
        throw new InvalidError(`path: there is no file ${shown} in the project's file area`, "path");
      throw e;
    });
    if (stat.isSymbolicLink())
      throw new InvalidError(
        `path: ${shown} goes through a symbolic link; a file source must be a plain file inside the project's file area`,
        "path",
      );
    if (at === target && !stat.isFile())
      throw new InvalidError(`path: ${shown} is not a regular file`, "path");
  }
  // Belt and braces: where the file really is must be inside where the folder really is.
  const [realDir, realFile] = await Promise.all([fs.promises.realpath(dir), fs.promises.realpath(target)]);
  if (!realFile.startsWith(`${realDir}${path.sep}`))
    throw new InvalidError(`path: ${shown} is outside the project's file area`, "path");
  return target;
}
