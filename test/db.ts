import { randomBytes } from "node:crypto";
import type pg from "pg";
import { inject } from "vitest";
import type { Ctx, JobQueue } from "../server/context";
import { createDb, createPool, type Db } from "../server/db/client";
import { createPostgresOnlineStore } from "../server/online/postgres-store";
import type { OnlineStore } from "../server/online/types";
import { withDatabase } from "./global-setup";

export interface TestDb {
  url: string;
  pool: pg.Pool;
  db: Db;
  drop(): Promise<void>;
}

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
  return {
    url,
    pool,
    db: createDb(pool),
    async drop() {
      await pool.end();
      const a = createPool(base, 1);
      await a.query(`drop database if exists ${name} with (force)`);
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
};

export function testCtx(t: TestDb, extra: Partial<Ctx> = {}): Ctx {
  const online: OnlineStore = extra.online ?? createPostgresOnlineStore(t.pool);
  return { actor: { kind: "local", name: "test" }, db: t.db, online, jobs: noJobs, ...extra };
}

/** REDIS_URL, or a failure under CI=true (a missing service is never a skip there). */
export function redisUrlOrSkip(): string | undefined {
  const url = process.env.REDIS_URL;
  if (!url && process.env.CI === "true") throw new Error("REDIS_URL must be set when CI=true");
  return url;
}
