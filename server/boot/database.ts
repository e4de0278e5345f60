import "server-only";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres } from "../db/embedded";
import { env } from "../env";
import { BootError } from "./errors";
import { quiverHome } from "./paths";
import { type RuntimeInfo, readRuntimeFile } from "./runtime-file";

export interface DatabaseHandle {
  url: string;
  /**
   * env: DATABASE_URL; attached: the database of another, running Quiver process (its
   * DATABASE_URL or its embedded Postgres) or an embedded Postgres left running by a killed one;
   * embedded: started by this process, stopped by stop().
   */
  source: "env" | "attached" | "embedded";
  /** The live Quiver process (app or worker) using this same database, if runtime.json names one. */
  peer?: RuntimeInfo;
  stop(): Promise<void>;
}

/**
 * Finds the database: DATABASE_URL when set; else the database a running Quiver process recorded
 * in runtime.json (its own DATABASE_URL, or the embedded Postgres, which is also used when only
 * that Postgres survived a killed process); else starts the embedded Postgres with its data in
 * `${QUIVER_HOME}/pg` on QUIVER_PG_PORT.
 */
export async function resolveDatabase(): Promise<DatabaseHandle> {
  const { DATABASE_URL, QUIVER_PG_PORT } = env();
  const recorded = readRuntimeFile();
  const livePeer = recorded?.alive ? recorded : undefined;
  if (DATABASE_URL) {
    const peer = livePeer?.databaseUrl === DATABASE_URL ? livePeer : undefined;
    return { url: DATABASE_URL, source: "env", peer, stop: async () => {} };
  }
  // The live app's own DATABASE_URL: a command run without it acts on the app's data, never on a
  // separate embedded Postgres. If that database is down, say so rather than start another one.
  if (livePeer && !livePeer.embedded) {
    if (await canConnect(livePeer.databaseUrl))
      return { url: livePeer.databaseUrl, source: "attached", peer: livePeer, stop: async () => {} };
    throw new BootError(
      `the running Quiver process ${livePeer.pid} uses the database at ${address(livePeer.databaseUrl)} (its DATABASE_URL), which does not answer: start that database, or set DATABASE_URL to the one to use`,
    );
  }
  // A dead pid with a live database is a Postgres left behind by a killed process: it still holds
  // the data folder, so the only way to the data is through it.
  if (recorded?.embedded && (await canConnect(recorded.databaseUrl))) {
    return { url: recorded.databaseUrl, source: "attached", peer: livePeer, stop: async () => {} };
  }
  const dataDir = path.join(quiverHome(), "pg");
  const holder = postmasterPid(dataDir);
  if (holder) {
    throw new BootError(
      `the embedded Postgres data in ${dataDir} is in use by process ${holder}, which does not answer; stop it and retry`,
    );
  }
  if (!(await portFree(QUIVER_PG_PORT))) {
    throw new BootError(
      `port ${QUIVER_PG_PORT} (embedded Postgres) is taken by another program; set QUIVER_PG_PORT to a free port`,
    );
  }
  try {
    const handle = await startEmbeddedPostgres(dataDir, QUIVER_PG_PORT);
    return { url: handle.url, source: "embedded", stop: () => handle.stop() };
  } catch (e) {
    // One line that says what to do: the reason is the server's last error line.
    const why = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, " ").trim();
    throw new BootError(
      `the embedded Postgres did not start (data ${dataDir}, port ${QUIVER_PG_PORT}): ${why}; fix that and retry, or set DATABASE_URL to use a Postgres of your own`,
      { cause: e },
    );
  }
}

/** host:port/database of a connection URL: no user or password, for messages. */
function address(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}`;
  } catch {
    return "(unparsable URL)";
  }
}

/** Whether a database answers a query within timeoutMs. */
export async function canConnect(url: string, timeoutMs = 2000): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** The pid in postmaster.pid when that process is alive. */
function postmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}
