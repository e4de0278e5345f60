import "server-only";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { InvalidError } from "../core/errors";
import { Name } from "../core/name";

/**
 * The offline store's file area: one folder per project under a root (QUIVER_FILES_DIR, default
 * `${QUIVER_HOME}/files`), holding file sources (Parquet/CSV read by DuckDB), uploaded entity files
 * and datasets stored as Parquet. A project reaches only its own folder: every path is relative,
 * checked, and resolved inside it, and DuckDB is opened with only that folder allowed.
 */
export interface FileArea {
  readonly root: string;
  /** The project's folder (created on first use). */
  dirOf(project: string): string;
  /** The absolute path of a relative path inside the project's folder; a 400 when it would leave it. */
  resolve(project: string, relPath: string, field?: string): string;
  /** Writes bytes to a fresh file in the project's folder (atomically); returns its relative path. */
  write(project: string, folder: string, ext: string, bytes: Uint8Array): Promise<string>;
  /** Removes a file of the project's folder; a missing file is fine. */
  remove(project: string, relPath: string): Promise<void>;
}

/** A relative path of plain segments: letters, digits, `._-`, no `..`, no leading slash. */
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export function createFileArea(root: string): FileArea {
  const absRoot = path.resolve(root);
  const dirOf = (project: string) => {
    // A project name is already a safe folder name; checked again because it becomes a path.
    if (!Name.safeParse(project).success) throw new Error(`invalid project name ${JSON.stringify(project)}`);
    const dir = path.join(absRoot, project);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
  };
  const resolve = (project: string, relPath: string, field = "path") => {
    const segments = relPath.split("/");
    if (relPath.length > 1024 || segments.some((s) => !SEGMENT.test(s) || s === "." || s.includes("..")))
      throw new InvalidError(
        `${field}: ${JSON.stringify(relPath)} is not a path inside the project's file area (use folder/name.parquet: letters, digits, "._-", no "..")`,
        field,
      );
    return path.join(dirOf(project), ...segments);
  };
  return {
    root: absRoot,
    dirOf,
    resolve,
    async write(project, folder, ext, bytes) {
      const rel = `${folder}/${Date.now().toString(36)}-${randomBytes(6).toString("hex")}.${ext}`;
      const target = resolve(project, rel);
      await fs.promises.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
      const temp = `${target}.part`;
      await fs.promises.writeFile(temp, bytes, { mode: 0o600 });
      await fs.promises.rename(temp, target);
      return rel;
    },
    async remove(project, relPath) {
      await fs.promises.rm(resolve(project, relPath), { force: true });
    },
  };
}
