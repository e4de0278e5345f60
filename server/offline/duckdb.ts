import "server-only";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { OfflineTimeoutError } from "./errors";

/**
 * A sandboxed, in-memory DuckDB for one piece of work (a point-in-time join over files, reading an
 * uploaded entity file, writing Parquet). It may read and write only the folders it is given (a
 * project's file area, a temp folder): external access is off apart from those, extensions are
 * never installed or loaded, and the configuration is locked before the caller's first statement,
 * so nothing run on the connection can widen it. A statement still running at the deadline is
 * interrupted and the work fails as a timeout.
 */
export interface DuckDbOptions {
  /** Absolute folders DuckDB may read and write; nothing else on disk. */
  allowedDirs: readonly string[];
  timeoutMs: number;
  /** DuckDB's memory_limit; beyond it a query fails rather than the process. */
  memoryLimit?: string;
  threads?: number;
  /** DuckDB optimizer passes to switch off (set before the configuration is locked). */
  disabledOptimizers?: readonly string[];
}

/** The SQL text of a string literal (DuckDB: single quotes doubled; NUL refused). */
export function duckString(value: string): string {
  if (value.includes("\u0000")) throw new Error("a DuckDB string literal cannot hold NUL");
  return `'${value.replaceAll("'", "''")}'`;
}

export async function withDuckDb<T>(
  opts: DuckDbOptions,
  fn: (conn: DuckDBConnection) => Promise<T>,
): Promise<T> {
  const instance = await DuckDBInstance.create(":memory:", {
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
    threads: String(opts.threads ?? 2),
    memory_limit: opts.memoryLimit ?? "1GB",
  });
  const conn = await instance.connect();
  let timedOut = false;
  let again: NodeJS.Timeout | undefined;
  // interrupt() stops only the statement running at that moment: a deadline that falls between
  // statements (or during set-up, on a busy machine) must stop the next ones too.
  const timer = setTimeout(() => {
    timedOut = true;
    conn.interrupt();
    again = setInterval(() => conn.interrupt(), 10);
  }, opts.timeoutMs);
  const late = () =>
    new OfflineTimeoutError(
      `the file engine stopped the query after ${opts.timeoutMs / 1000} s (its time limit)`,
    );
  try {
    const dirs = opts.allowedDirs.map((d) => duckString(d.endsWith("/") ? d : `${d}/`)).join(", ");
    await conn.run(`SET allowed_directories = [${dirs}]`);
    // Times are UTC whatever the process's TZ (DuckDB's ICU takes the machine's zone otherwise).
    await conn.run("SET TimeZone = 'UTC'");
    if (opts.disabledOptimizers?.length)
      await conn.run(`SET disabled_optimizers = ${duckString(opts.disabledOptimizers.join(","))}`);
    await conn.run("SET enable_external_access = false");
    await conn.run("SET lock_configuration = true");
    const result = await fn(conn);
    // past its time even if the last statement slipped through between interrupts
    if (timedOut) throw late();
    return result;
  } catch (e) {
    if (timedOut) throw late();
    throw e;
  } finally {
    clearTimeout(timer);
    clearInterval(again);
    conn.closeSync();
    instance.closeSync();
  }
}
