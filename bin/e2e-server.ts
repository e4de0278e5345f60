// The app Playwright tests against (playwright.config.ts webServer): `quiver start` on its own,
// freshly emptied data, so e2e runs never see or disturb a developer's data or the vitest
// databases. With DATABASE_URL: a database `quiver_e2e` (E2E_DATABASE) on that server, dropped and recreated.
// Without: an embedded Postgres in .quiver/e2e (wiped) on port E2E_PG_PORT (54339). With REDIS_URL: Redis
// database 2 (E2E_REDIS_DB), flushed. Prepared here rather than in a Playwright globalSetup, which runs only
// after the web server is already up.
import fs from "node:fs";
import { register } from "node:module";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";

register("./hooks/server-only.mjs", import.meta.url);

// Overridable so that two checkouts can run their e2e suites side by side on one Postgres and Redis.
const E2E_DATABASE = process.env.E2E_DATABASE ?? "quiver_e2e";
const E2E_REDIS_DB = Number(process.env.E2E_REDIS_DB ?? 2);

const { createPool } = await import("../server/db/client");
const { PROJECT_ROOT } = await import("../server/boot/paths");
process.chdir(PROJECT_ROOT);

// Its own home and Postgres port in both modes, whatever QUIVER_HOME says (it is wiped below): its
// runtime.json must not replace a developer's running app's, nor its Postgres meet theirs.
const home = path.resolve(PROJECT_ROOT, ".quiver", "e2e");
process.env.QUIVER_HOME = home;
process.env.QUIVER_PG_PORT = process.env.E2E_PG_PORT ?? "54339";
const baseUrl = process.env.DATABASE_URL;
if (baseUrl) {
  const admin = createPool(baseUrl, 1);
  await admin.query(`drop database if exists ${E2E_DATABASE} with (force)`);
  await admin.query(`drop database if exists ${E2E_DATABASE}_offline with (force)`);
  await admin.query(`create database ${E2E_DATABASE}`);
  await admin.end();
  const u = new URL(baseUrl);
  u.pathname = `/${E2E_DATABASE}`;
  process.env.DATABASE_URL = u.toString();
} else {
  const pgDir = path.join(home, "pg");
  await stopLeftoverPostgres(pgDir);
  // Run as root, the data lives outside the home and home/pg is a symlink to it
  // (server/db/embedded-root.ts): removing the home alone would leave the last run's data, owner
  // included, for the next run to find at the same path.
  if (fs.lstatSync(pgDir, { throwIfNoEntry: false })?.isSymbolicLink())
    fs.rmSync(path.resolve(home, fs.readlinkSync(pgDir)), { recursive: true, force: true });
  fs.rmSync(home, { recursive: true, force: true });
}
if (process.env.REDIS_URL) {
  const u = new URL(process.env.REDIS_URL);
  u.pathname = `/${E2E_REDIS_DB}`;
  process.env.REDIS_URL = u.toString();
  const redis = new Redis(process.env.REDIS_URL, { maxRetriesPerRequest: 1 });
  await redis.flushdb();
  await redis.quit();
}
process.env.PORT ??= "3100";

const { main } = await import("./cli/main");
const code = await main(["start"]);
if (code !== undefined) process.exit(code);

/** A Postgres still running in the e2e data folder (an aborted earlier run) is stopped first. */
async function stopLeftoverPostgres(dataDir: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
    if (!Number.isInteger(pid) || pid <= 0) return;
    process.kill(pid, "SIGINT");
  } catch {
    return;
  }
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await sleep(100);
  }
  throw new Error(`the Postgres left in ${dataDir} (pid ${pid}) did not stop`);
}
