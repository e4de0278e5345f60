import "server-only";
import type { ExtractTablesWithRelations } from "drizzle-orm";
import { drizzle, type NodePgQueryResultHKT } from "drizzle-orm/node-postgres";
import type { PgDatabase } from "drizzle-orm/pg-core";
import pg from "pg";
import * as schema from "./schema";

export { schema };

/** A database handle or an open transaction: services accept either. */
export type Db = PgDatabase<NodePgQueryResultHKT, typeof schema, ExtractTablesWithRelations<typeof schema>>;

// Return int8 and numeric as JS numbers: our counts and row ids stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export function createPool(connectionString: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, idleTimeoutMillis: 30_000 });
  // An idle client losing its connection must not crash the process.
  pool.on("error", () => {});
  return pool;
}

export function createDb(pool: pg.Pool): Db {
  return drizzle(pool, { schema });
}

/** The pool behind a root registry handle, for work that needs a session of its own (advisory locks). */
export function registryPool(db: Db): pg.Pool {
  const client: unknown = (db as { $client?: unknown }).$client;
  if (typeof client === "object" && client !== null && "connect" in client && "totalCount" in client)
    return client as pg.Pool;
  throw new Error("this needs the root database handle, not a transaction");
}
