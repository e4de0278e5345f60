import "server-only";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import type pg from "pg";

const here = path.dirname(fileURLToPath(import.meta.url));
export const MIGRATIONS_FOLDER = path.resolve(here, "../../drizzle");

/** Applies the committed migrations in drizzle/; safe to call at every start. */
export async function runMigrations(pool: pg.Pool, folder = MIGRATIONS_FOLDER): Promise<void> {
  const client = await pool.connect();
  try {
    // Serialise concurrent starters (app and CLI at once) on one advisory lock.
    await client.query("select pg_advisory_lock(724311)");
    await migrate(drizzle(client), { migrationsFolder: folder });
  } finally {
    await client.query("select pg_advisory_unlock(724311)").catch(() => {});
    client.release();
  }
}
