import "server-only";
import { type Alerting, startAlerting } from "../alerts";
import type { Actor } from "../core/context";
import { createPool } from "../db/client";
import { runMigrations } from "../db/migrate";
import { env, resetEnvCache } from "../env";
import { type MaterializationWorker, startMaterializationWorker } from "../materialization";
import { checkOfflineSpaces } from "../registry/offline-space";
import { type Scheduler, startScheduler } from "../schedules/scheduler";
import { type AppServer, startAppServer } from "../web/app-server";
import { ensureProductionBuild } from "./build";
import { type DatabaseHandle, resolveDatabase } from "./database";
import { BootError } from "./errors";
import { PROJECT_ROOT } from "./paths";
import { closeRuntime, createRuntime, type Runtime } from "./runtime";
import { removeRuntimeFile, writeRuntimeFile } from "./runtime-file";
import { describeSeed, materializeDemo, seedIfEmpty } from "./seed";
import { onShutdown } from "./shutdown";

export type Log = (line: string) => void;

export const WORKER_ACTOR: Actor = { kind: "system", name: "materialization-worker" };
/** Who opens incidents and sends webhooks (docs/adr/0032-alerts.md). */
export const ALERTS_ACTOR: Actor = { kind: "system", name: "alerts" };

/** Resolves the database, exports it as DATABASE_URL (for code that reads env()) and migrates it. */
export async function openDatabase(log: Log): Promise<DatabaseHandle> {
  const db = await resolveDatabase();
  log(describeDatabase(db));
  process.env.DATABASE_URL = db.url;
  resetEnvCache();
  try {
    const pool = createPool(db.url, 1);
    try {
      await runMigrations(pool);
    } finally {
      await pool.end();
    }
  } catch (e) {
    await db.stop().catch(() => {});
    throw e;
  }
  return db;
}

export function describeDatabase(db: DatabaseHandle): string {
  const where = redact(db.url);
  if (db.source === "env") return `database: ${where} (DATABASE_URL)`;
  if (db.source === "embedded")
    return `database: embedded Postgres at ${where}, data in ${env().QUIVER_HOME}/pg`;
  if (db.peer && !db.peer.embedded)
    return `database: ${where}, the DATABASE_URL of the running Quiver process ${db.peer.pid}`;
  const owner = db.peer ? `of the running Quiver process ${db.peer.pid}` : "left running by an earlier run";
  return `database: the embedded Postgres ${owner} at ${where}`;
}

/** Records this process in runtime.json unless another live process there already owns the database. */
export function recordRuntime(db: DatabaseHandle, info: { worker: boolean; appUrl?: string }): void {
  if (db.source === "attached" && db.peer) return;
  writeRuntimeFile({
    databaseUrl: db.url,
    embedded: db.source !== "env",
    ownsDatabase: db.source === "embedded",
    ...info,
  });
}

/**
 * The app server (`quiver start` / `npm start`, or `quiver dev`): build if needed, database,
 * migrations, demo seed on an empty registry, the materialization worker, then Next.js. Returns
 * once the app serves; SIGINT/SIGTERM stop everything in order.
 */
export async function launchApp(opts: { dev: boolean; port: number; log: Log }): Promise<void> {
  const { log } = opts;
  Object.assign(process.env, {
    NODE_ENV: opts.dev ? "development" : "production",
    NEXT_TELEMETRY_DISABLED: "1",
  });
  if (!opts.dev) await ensureProductionBuild(PROJECT_ROOT, log);

  let db: DatabaseHandle | undefined;
  let runtime: Runtime | undefined;
  let worker: MaterializationWorker | undefined;
  let scheduler: Scheduler | undefined;
  let alerting: Alerting | undefined;
  let app: AppServer | undefined;
  const stop = async () => {
    await app?.close().catch((e: unknown) => log(`closing the web server: ${String(e)}`));
    // The runtime Next's route handlers built lives on globalThis of this same process.
    await closeRuntime().catch(() => {});
    await alerting?.stop().catch(() => {});
    await scheduler?.stop().catch(() => {});
    await worker?.stop().catch(() => {});
    await runtime?.close();
    removeRuntimeFile();
    await db?.stop();
    log("stopped");
  };
  onShutdown(stop, log);

  try {
    db = await openDatabase(log);
    const { REDIS_URL } = env();
    runtime = await createRuntime({
      databaseUrl: db.url,
      redisUrl: REDIS_URL,
      redisClusterNodes: env().REDIS_CLUSTER_NODES,
      offlineDatabaseUrl: env().OFFLINE_DATABASE_URL,
    });
    log(
      `online store: ${runtime.online.kind === "redis" ? `Redis at ${redact(REDIS_URL ?? "")}` : "Postgres table"}`,
    );
    const rt = runtime;
    const seed = await seedIfEmpty(rt.ctxFor({ kind: "system", name: "demo-seed" })).catch((e: unknown) => {
      log(`demo seed failed (the app starts without it): ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    });
    await checkOffline(rt, log);
    worker = await startMaterializationWorker({ boss: rt.boss, ctxFor: () => rt.ctxFor(WORKER_ACTOR) });
    scheduler = startWorkerScheduler(rt);
    alerting = startAlerting({ ctxFor: () => rt.ctxFor(ALERTS_ACTOR) });
    if (seed) {
      log(describeSeed(seed));
      await materializeDemo(rt.ctxFor({ kind: "system", name: "demo-seed" }), seed).then(
        (runs) => log(`queued ${runs.length} materialization run(s) to fill the online store`),
        (e: unknown) =>
          log(`could not queue the demo materialization: ${e instanceof Error ? e.message : e}`),
      );
    }
    app = await startAppServer({ dir: PROJECT_ROOT, dev: opts.dev, port: opts.port });
    recordRuntime(db, { worker: true, appUrl: app.url });
    log(`ready${opts.dev ? " (dev)" : ""}: ${app.url}`);
  } catch (e) {
    await stop().catch(() => {});
    throw e;
  }
}

/** `quiver worker`: only the materialization worker, until a signal. */
export async function launchWorker(opts: { concurrency?: number; log: Log }): Promise<void> {
  const { log } = opts;
  let db: DatabaseHandle | undefined;
  let runtime: Runtime | undefined;
  let worker: MaterializationWorker | undefined;
  let scheduler: Scheduler | undefined;
  let alerting: Alerting | undefined;
  const stop = async () => {
    await alerting?.stop().catch(() => {});
    await scheduler?.stop().catch(() => {});
    await worker?.stop().catch(() => {});
    await runtime?.close();
    removeRuntimeFile();
    await db?.stop();
    log("stopped");
  };
  onShutdown(stop, log);
  try {
    db = await openDatabase(log);
    runtime = await createRuntime({
      databaseUrl: db.url,
      redisUrl: env().REDIS_URL,
      redisClusterNodes: env().REDIS_CLUSTER_NODES,
      offlineDatabaseUrl: env().OFFLINE_DATABASE_URL,
    });
    const rt = runtime;
    await checkOffline(rt, log);
    worker = await startMaterializationWorker({
      boss: rt.boss,
      ctxFor: () => rt.ctxFor(WORKER_ACTOR),
      concurrency: opts.concurrency,
    });
    scheduler = startWorkerScheduler(rt);
    alerting = startAlerting({ ctxFor: () => rt.ctxFor(ALERTS_ACTOR) });
    recordRuntime(db, { worker: true });
    log("worker ready: waiting for materialization jobs (Ctrl-C to stop)");
  } catch (e) {
    await stop().catch(() => {});
    throw e;
  }
}

/**
 * The feature view schedules' poller (docs/adr/0031): beside every long-lived worker (`quiver
 * start`, `quiver worker`), not the CLI's short-lived one; any number of them fire each tick once.
 */
function startWorkerScheduler(rt: Runtime): Scheduler {
  return startScheduler({ ctxFor: () => rt.ctxFor(WORKER_ACTOR), intervalMs: env().QUIVER_SCHEDULE_POLL_MS });
}

/**
 * Gives every project its offline roles and schemas and checks them. A role that is a superuser
 * (or holds any privilege beyond its grants) stops the start: Quiver never runs offline SQL as one.
 * Other problems (a DBA still has to create the roles) are logged; those projects' offline reads
 * fail with the same message until fixed.
 */
async function checkOffline(rt: Runtime, log: Log): Promise<void> {
  const checks = await checkOfflineSpaces({ ctx: rt.ctxFor({ kind: "system", name: "start-up" }) });
  const privileged = checks.filter((c) => c.privileged);
  if (privileged.length > 0)
    throw new BootError(privileged.map((c) => `project ${c.project}: ${c.problem}`).join("\n"));
  for (const c of checks) if (c.problem) log(`offline store, project ${c.project}: ${c.problem}`);
  log(`offline store: database ${rt.offline.database} (${checks.length} project space(s) checked)`);
}

/** A connection URL without its password, for logs. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparsable URL)";
  }
}
