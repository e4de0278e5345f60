import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../../bin/cli/main";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { listApiKeys } from "../auth/api-keys";
import { freePort } from "../db/embedded";
import { resetEnvCache } from "../env";
import { ensureProject } from "../registry";
import { resolveDatabase } from "./database";
import { BootError } from "./errors";
import { runtimeFilePath, writeRuntimeFile } from "./runtime-file";

/**
 * How a command finds its database (docs/adr/0007): a running app's DATABASE_URL recorded in
 * runtime.json is used by a CLI run without DATABASE_URL, and a failed start is one line.
 */
let t: TestDb;
let home: string;
const saved = { ...process.env };
const children: ChildProcess[] = [];

beforeAll(async () => {
  t = await createTestDb();
  await ensureProject({ ctx: testCtx(t), input: { name: "proj" } });
});
afterAll(async () => {
  for (const c of children) c.kill();
  await t?.drop();
});

beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), "quiver-db-"));
  delete process.env.DATABASE_URL;
  process.env.QUIVER_HOME = home;
  // A port that is taken: were the embedded Postgres started, it would refuse at once.
  process.env.QUIVER_PG_PORT = new URL(t.url).port || "5432";
  resetEnvCache();
});
afterEach(() => {
  for (const k of ["DATABASE_URL", "QUIVER_HOME", "QUIVER_PG_PORT"]) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  resetEnvCache();
  vi.restoreAllMocks();
  fs.rmSync(home, { recursive: true, force: true });
});

/** A process that stays alive: the "app" runtime.json names. */
function liveProcess(): number {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  children.push(child);
  if (!child.pid) throw new Error("no pid");
  return child.pid;
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((done) => child.once("exit", done));
  if (!child.pid) throw new Error("no pid");
  return child.pid;
}

/** runtime.json as an app started with DATABASE_URL writes it. */
function recordApp(pid: number, databaseUrl: string) {
  const info = { databaseUrl, pid, embedded: false, ownsDatabase: false, worker: true, startedAt: "" };
  fs.writeFileSync(runtimeFilePath(), JSON.stringify(info), { mode: 0o600 });
}

describe("resolveDatabase without DATABASE_URL", () => {
  it("attaches to the DATABASE_URL of the running app", async () => {
    const pid = liveProcess();
    recordApp(pid, t.url);
    const db = await resolveDatabase();
    expect(db).toMatchObject({
      url: t.url,
      source: "attached",
      peer: { pid, embedded: false, worker: true },
    });
  });

  it("says so in one line when the running app's database does not answer", async () => {
    recordApp(liveProcess(), "postgres://quiver:s3cret@127.0.0.1:1/gone");
    const err = await resolveDatabase().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BootError);
    const message = (err as Error).message;
    expect(message).toMatch(
      /uses the database at 127\.0\.0\.1:1\/gone .* which does not answer: start that database/,
    );
    expect(message).not.toContain("s3cret");
    expect(message).not.toContain("\n");
  });

  it("ignores the DATABASE_URL of an app that is gone", async () => {
    recordApp(await deadPid(), t.url);
    // on to the embedded Postgres, whose port the test took
    await expect(resolveDatabase()).rejects.toThrow(/port \d+ \(embedded Postgres\) is taken/);
  });

  it("turns a failed embedded start into one line that says what to do", async () => {
    process.env.QUIVER_PG_PORT = String(await freePort());
    resetEnvCache();
    // a data folder that holds something else: initdb refuses it
    fs.mkdirSync(path.join(home, "pg"));
    fs.writeFileSync(path.join(home, "pg", "notes.txt"), "not a database");
    const err = await resolveDatabase().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BootError);
    const message = (err as Error).message;
    expect(message).toMatch(
      /^the embedded Postgres did not start \(data .*\): .+; fix that and retry, or set DATABASE_URL/,
    );
    expect(message).not.toContain("\n");
  });
});

describe("the CLI without DATABASE_URL while an app runs with it", () => {
  it("creates the API key in the app's database", async () => {
    recordApp(liveProcess(), t.url);
    const logged: string[] = [];
    const keep = (...a: unknown[]) => {
      logged.push(a.map(String).join(" "));
    };
    vi.spyOn(console, "log").mockImplementation(keep);
    vi.spyOn(console, "error").mockImplementation(keep);
    const code = await main([
      "api-key",
      "create",
      "--project",
      "proj",
      "--role",
      "viewer",
      "--name",
      "from_cli",
    ]);
    expect(code, logged.join("\n")).toBe(0);
    expect(logged.join("\n")).toMatch(/database: .*, the DATABASE_URL of the running Quiver process \d+/);
    const keys = await listApiKeys({ ctx: testCtx(t), input: { project: "proj" } });
    expect(keys.map((k) => k.name)).toEqual(["from_cli"]);
  });
});

describe("runtime.json", () => {
  it("is readable by its owner only, even over a stale temporary file", () => {
    const tmp = `${runtimeFilePath()}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, "{}", { mode: 0o644 });
    writeRuntimeFile({
      databaseUrl: "postgres://u:p@h/db",
      embedded: false,
      ownsDatabase: false,
      worker: true,
    });
    expect(fs.statSync(runtimeFilePath()).mode & 0o777).toBe(0o600);
  });
});
