import { randomBytes } from "node:crypto";
import type pg from "pg";
import { inject } from "vitest";
import type { Ctx, JobQueue } from "../server/core/context";
import { rootLogger } from "../server/core/log";
import { createDb, createPool, type Db } from "../server/db/client";
import { createOfflineStore, type OfflineStore, type OfflineStoreConfig } from "../server/offline";
import { ensureOfflineDatabase } from "../server/offline/database";
import { createPostgresOnlineStore } from "../server/online/postgres-store";
import type { OnlineStore } from "../server/online/types";
import { loadOfflineSpace } from "../server/registry/offline-space";
import { dropRoles, withDatabase } from "./global-setup";

export interface TestDb {
  url: string;
  pool: pg.Pool;
  db: Db;
  /** The offline database (`<name>_offline`), as its administrator: tests build source tables with it. */
  offlineUrl: string;
  offlineAdmin: pg.Pool;
  /** The offline store the test contexts use; per-project roles are created on first use. */
  offline: OfflineStore;
  /** Another offline store on the same database with other settings (closed by drop()). */
  openOffline(over?: Partial<OfflineStoreConfig>): OfflineStore;
  /** Runs SQL in the offline database as its administrator with `project`'s schema created and first in the path. */
  offlineSql(project: string, sql: string, values?: unknown[]): Promise<pg.QueryResult>;
  drop(): Promise<void>;
}

/** Settings of test offline stores: short probes, so timeout tests stay quick. */
export const TEST_OFFLINE_TIMEOUTS = { probeMs: 5_000, scanMs: 60_000, writeMs: 30_000, lockMs: 5_000 };

/** A fresh, migrated database cloned from the run's template: each test file owns its data. */
export async function createTestDb(): Promise<TestDb> {
  const base = inject("pgBaseUrl");
  const template = inject("pgTemplate");
  const ppid = template.replace("quiver_tpl_", "");
  const name = `quiver_t_${ppid}_${randomBytes(5).toString("hex")}`;
  const admin = createPool(base, 1);
  await admin.query(`create database ${name} template ${template}`);
  await admin.end();
  const url = withDatabase(base, name);
  const pool = createPool(url, 5);
  const db = createDb(pool);
  const { url: offlineUrl } = await ensureOfflineDatabase(url);
  const offlineAdmin = createPool(offlineUrl, 2);
  const secret = randomBytes(24).toString("hex");
  // Roles are the cluster's: a prefix naming this run lets global-setup sweep any a crash left.
  const rolePrefix = `qt${ppid}_${randomBytes(3).toString("hex")}`;
  const stores: OfflineStore[] = [];
  const openOffline = (over: Partial<OfflineStoreConfig> = {}) => {
    const store = createOfflineStore({
      adminUrl: offlineUrl,
      secret,
      rolePrefix,
      connectionsPerProject: 3,
      querySources: true,
      timeouts: TEST_OFFLINE_TIMEOUTS,
      loadSpace: (project) => loadOfflineSpace(db, project),
      ...over,
    });
    stores.push(store);
    return store;
  };
  const offline = openOffline();
  return {
    url,
    pool,
    db,
    offlineUrl,
    offlineAdmin,
    offline,
    openOffline,
    async offlineSql(project, sql, values) {
      await offline.provision(project);
      const client = await offlineAdmin.connect();
      try {
        await client.query(`set search_path to "${project}"`);
        return await client.query(sql, values);
      } finally {
        await client.query("reset search_path").catch(() => {});
        client.release();
      }
    },
    async drop() {
      for (const s of stores) await s.close();
      await offlineAdmin.end();
      await pool.end();
      const a = createPool(base, 1);
      await a.query(`drop database if exists ${name} with (force)`);
      await a.query(`drop database if exists ${name}_offline with (force)`);
      // Roles are the cluster's, not the database's: drop this database's project roles too.
      await dropRoles(a, rolePrefix);
      await a.end();
    },
  };
}

/** A queue for tests that never start jobs: using it is a test bug, so it throws. */
export const noJobs: JobQueue = {
  enqueueMaterialization() {
    throw new Error("this test context has no job queue; build one with the materialization test helpers");
  },
  cancelMaterialization() {
    throw new Error("this test context has no job queue; build one with the materialization test helpers");
  },
  enqueueSourceProbe() {
    throw new Error("this test context has no job queue; build one with the materialization test helpers");
  },
  enqueueDatasetBuild() {
    throw new Error("this test context has no job queue; build one with the materialization test helpers");
  },
  cancelDatasetBuild() {
    throw new Error("this test context has no job queue; build one with the materialization test helpers");
  },
  enqueueStatistics() {
    throw new Error("this test context has no job queue; build one with the materialization test helpers");
  },
  enqueueTransformationRun() {
    throw new Error("this test context has no job queue; build one with the materialization test helpers");
  },
};

export function testCtx(t: TestDb, extra: Partial<Ctx> = {}): Ctx {
  const online: OnlineStore = extra.online ?? createPostgresOnlineStore(t.pool);
  return {
    actor: { kind: "local", name: "test" },
    db: t.db,
    online,
    offline: t.offline,
    jobs: noJobs,
    // Silent under vitest unless QUIVER_LOG_LEVEL is set.
    log: rootLogger(),
    ...extra,
  };
}

/** REDIS_URL, or a failure under CI=true (a missing service is never a skip there). */
export function redisUrlOrSkip(): string | undefined {
  const url = process.env.REDIS_URL;
  if (!url && process.env.CI === "true") throw new Error("REDIS_URL must be set when CI=true");
  return url;
}
