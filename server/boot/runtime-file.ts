import "server-only";
import fs from "node:fs";
import path from "node:path";
import { quiverHome } from "./paths";

/**
 * `${QUIVER_HOME}/runtime.json`: written by a running app or worker so that CLI commands find its
 * database and know that a job worker is already there. Removed on a clean stop; a file left by a
 * killed process is recognised by its dead pid.
 */
export interface RuntimeInfo {
  /**
   * The database the process uses, password included (a CLI run without DATABASE_URL needs it to
   * attach): the file is the owner's alone (0600), like the ~/.pgpass it stands in for.
   */
  databaseUrl: string;
  pid: number;
  /** True when the database is an embedded Postgres (not DATABASE_URL). */
  embedded: boolean;
  /** True when this process started that embedded Postgres (and stops it on exit). */
  ownsDatabase: boolean;
  /** True when this process runs the materialization worker. */
  worker: boolean;
  /** The web app's address, when the process serves one. */
  appUrl?: string;
  startedAt: string;
}

export function runtimeFilePath(): string {
  return path.join(quiverHome(), "runtime.json");
}

/** The file's contents, with whether its process still runs; undefined when absent or unreadable. */
export function readRuntimeFile(): (RuntimeInfo & { alive: boolean }) | undefined {
  let info: Partial<RuntimeInfo>;
  try {
    info = JSON.parse(fs.readFileSync(runtimeFilePath(), "utf8"));
  } catch {
    return undefined;
  }
  if (typeof info.databaseUrl !== "string" || typeof info.pid !== "number") return undefined;
  return {
    alive: processAlive(info.pid),
    databaseUrl: info.databaseUrl,
    pid: info.pid,
    embedded: info.embedded === true,
    ownsDatabase: info.ownsDatabase === true,
    worker: info.worker === true,
    appUrl: info.appUrl,
    startedAt: String(info.startedAt ?? ""),
  };
}

export function writeRuntimeFile(info: Omit<RuntimeInfo, "pid" | "startedAt">): void {
  const file = runtimeFilePath();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const full: RuntimeInfo = { ...info, pid: process.pid, startedAt: new Date().toISOString() };
  // Write then rename, so a reader never sees half a file.
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(full, null, 2)}\n`, { mode: 0o600 });
  // `mode` applies only to a new file: a temporary file left by a crash keeps its own.
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}

/** Removes the file if this process wrote it. */
export function removeRuntimeFile(): void {
  const file = runtimeFilePath();
  try {
    const info = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<RuntimeInfo>;
    if (info.pid === process.pid) fs.rmSync(file);
  } catch {
    // Already gone or unreadable: nothing of ours to remove.
  }
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
