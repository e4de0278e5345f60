import "server-only";
import pg from "pg";
import type PgBoss from "pg-boss";
import { apiKeyLimits } from "../auth/rate-limit";
import { createSharedRateLimiter, type SharedRateLimiter } from "../auth/shared-rate-limit";
import type { Actor, Ctx, JobQueue, UsageSink } from "../core/context";
import { type Logger, rootLogger } from "../core/log";
import { createDb, createPool, type Db } from "../db/client";
import { env } from "../env";
import { createBoss, createJobQueue } from "../materialization";
import { instrumentOnlineStore, watchRegistryCache, withMetricsUsage } from "../metrics";
import { createOfflineStore, type OfflineStore } from "../offline";
import { ensureOfflineDatabase } from "../offline/database";
import { createOnlineStore } from "../online";
import type { OnlineStore } from "../online/types";
import { createRegistryCache } from "../registry-cache/cache";
import type { RegistryCache } from "../registry-cache/types";
import { createUsageRecorder } from "../usage/recorder";
import { offlineStoreConfig } from "./offline-config";

/**
 * The long-lived handles of one process: the database pool, the online store and a started
 * pg-boss (for sending jobs). It never runs a job worker: the launcher (`quiver start`,
 * `quiver worker`) starts exactly one with startMaterializationWorker.
 */
export interface Runtime {
  readonly databaseUrl: string;
  readonly pool: pg.Pool;
  readonly db: Db;
  readonly online: OnlineStore;
  readonly offline: OfflineStore;
  readonly boss: PgBoss;
  readonly jobs: JobQueue;
  /** The per-key limit of API keys, held in Redis or Postgres so every process shares it. */
  readonly apiKeyLimiter: SharedRateLimiter;
  /** The registry held in memory, emptied by NOTIFY on every registry write (docs/adr/0023). */
  readonly registry: RegistryCache;
  /** Where key use and feature reads are counted (written in batches, and to /metrics). */
  readonly usage: UsageSink;
  /** A services context for the actor, logging through `log` (a request's or job's child logger). */
  /** The context of `actor`; `log` may be a function, called the first time the context logs. */
  ctxFor(actor: Actor, log?: Logger | (() => Logger)): Ctx;
  /** Stops the queue (waiting briefly for active jobs), then the store and the pool. Idempotent. */
  close(): Promise<void>;
}

export interface RuntimeOptions {
  databaseUrl: string;
  redisUrl?: string;
  /** OFFLINE_DATABASE_URL; unset: `<registry database>_offline` on the same server. */
  offlineDatabaseUrl?: string;
  poolMax?: number;
  /** Redis Cluster startup nodes (REDIS_CLUSTER_NODES): they win over redisUrl. */
  redisClusterNodes?: string[];
  /**
   * false: start no pg-boss (a serving process sends no jobs; the feature server). `jobs` then
   * refuses every call and reading `boss` throws.
   */
  queue?: false;
}

/** The offline store of a registry: its database resolved (and created when it is Quiver's own). */
export async function openOfflineStore(
  db: Db,
  registryUrl: string,
  offlineUrl?: string,
): Promise<OfflineStore> {
  const { url } = await ensureOfflineDatabase(registryUrl, offlineUrl);
  return createOfflineStore(offlineStoreConfig(db, url));
}

/** Seconds pg-boss waits for active jobs on close before failing them back to the queue. */
const STOP_TIMEOUT_MS = 10_000;

export async function createRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const limits = apiKeyLimits();
  const pool = createPool(opts.databaseUrl, opts.poolMax ?? 10);
  const db = createDb(pool);
  const { redisClusterNodes } = opts;
  const online = instrumentOnlineStore(
    createOnlineStore({ redisUrl: opts.redisUrl, redisClusterNodes, pool }),
  );
  let boss: PgBoss | undefined;
  let offline: OfflineStore | undefined;
  try {
    offline = await openOfflineStore(db, opts.databaseUrl, opts.offlineDatabaseUrl);
    // Started, with its error listener and the materialize queue in place.
    boss = opts.queue === false ? undefined : await createBoss(opts.databaseUrl);
  } catch (e) {
    await offline?.close().catch(() => {});
    await online.close().catch(() => {});
    await pool.end().catch(() => {});
    throw e;
  }
  const offlineStore = offline;
  const jobs = boss ? createJobQueue(boss) : noJobQueue();
  const apiKeyLimiter = createSharedRateLimiter({
    ...limits,
    pool,
    redisUrl: opts.redisUrl,
    redisClusterNodes,
  });
  const registry = createRegistryCache({
    db,
    connect: () => listenClient(opts.databaseUrl),
    log: rootLogger(),
  });
  watchRegistryCache(registry);
  // Key use and feature reads, counted in memory and written in the background (server/usage),
  // and counted for /metrics.
  const recorder = createUsageRecorder({ pool, log: rootLogger(), flushMs: env().QUIVER_USAGE_FLUSH_MS });
  const usage = withMetricsUsage(recorder);
  let closing: Promise<void> | undefined;
  return {
    databaseUrl: opts.databaseUrl,
    pool,
    db,
    online,
    offline: offlineStore,
    get boss() {
      if (!boss) throw new Error("this runtime was created without a job queue (queue: false)");
      return boss;
    },
    jobs,
    apiKeyLimiter,
    registry,
    usage,
    ctxFor: (actor, log = rootLogger()) => {
      // A request's child logger costs more than a warm lookup: a function is called on first use.
      let made = typeof log === "function" ? undefined : log;
      return {
        actor,
        db,
        online,
        offline: offlineStore,
        jobs,
        get log() {
          made ??= (log as () => Logger)();
          return made;
        },
        registry,
        usage,
      };
    },
    close() {
      closing ??= (async () => {
        await boss?.stop({ graceful: true, timeout: STOP_TIMEOUT_MS }).catch(() => {});
        // pool.end() resolves before the sockets are closed; if Postgres stops right after (the
        // embedded one on exit), those sockets report "terminating connection": noise by now.
        boss?.removeAllListeners("error");
        boss?.on("error", () => {});
        // Before the pool ends: the last counts are written with it.
        await recorder.close();
        await registry.close().catch(() => {});
        await online.close().catch(() => {});
        await apiKeyLimiter.close().catch(() => {});
        await offlineStore.close().catch(() => {});
        await pool.end().catch(() => {});
      })();
      return closing;
    },
  };
}

/** A connection of its own for LISTEN: one from the pool would be handed to other work. */
async function listenClient(databaseUrl: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => {});
    throw e;
  }
  return client;
}

/** The queue of a runtime without pg-boss: sending a job from such a process is a bug. */
function noJobQueue(): JobQueue {
  const refuse = () =>
    Promise.reject(new Error("this process runs no job queue (createRuntime queue: false)"));
  return {
    enqueueMaterialization: refuse,
    cancelMaterialization: refuse,
    enqueueSourceProbe: refuse,
    enqueueDatasetBuild: refuse,
    cancelDatasetBuild: refuse,
    enqueueStatistics: refuse,
    enqueueTransformationRun: refuse,
  };
}

// On globalThis, not in a module variable: Next's dev server re-evaluates modules on every edit,
// and each evaluation would otherwise open another pool and queue.
const KEY = Symbol.for("quiver.runtime");
type Holder = { [KEY]?: Promise<Runtime> };

/** The process's runtime, built on first use from env(). */
export function getRuntime(): Promise<Runtime> {
  const holder = globalThis as Holder;
  const existing = holder[KEY];
  if (existing) return existing;
  const { DATABASE_URL, REDIS_URL, REDIS_CLUSTER_NODES, OFFLINE_DATABASE_URL } = env();
  if (!DATABASE_URL) {
    return Promise.reject(
      new Error("DATABASE_URL is not set: start the app with `npm start` (which sets it) or set it yourself"),
    );
  }
  const created = createRuntime({
    databaseUrl: DATABASE_URL,
    redisUrl: REDIS_URL,
    redisClusterNodes: REDIS_CLUSTER_NODES,
    offlineDatabaseUrl: OFFLINE_DATABASE_URL,
  });
  holder[KEY] = created;
  // A failed start (database down) must not stick: the next request tries again.
  created.catch(() => {
    if (holder[KEY] === created) delete holder[KEY];
  });
  return created;
}

/** Closes the runtime getRuntime() built, if any; the next getRuntime() builds a new one. */
export async function closeRuntime(): Promise<void> {
  const holder = globalThis as Holder;
  const current = holder[KEY];
  delete holder[KEY];
  if (!current) return;
  const runtime = await current.catch(() => undefined);
  await runtime?.close();
}
