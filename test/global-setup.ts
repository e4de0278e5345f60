import os from "node:os";
import path from "node:path";
import type pg from "pg";
import type { TestProject } from "vitest/node";
import { createPool } from "../server/db/client";
import { type EmbeddedHandle, freePort, startEmbeddedPostgres } from "../server/db/embedded";
import { runMigrations } from "../server/db/migrate";

/**
 * Once per `vitest` run: find a Postgres (DATABASE_URL, or an embedded one in a temp folder),
 * and build a migrated template database that each test file clones (see test/db.ts).
 */
let embedded: EmbeddedHandle | undefined;

export default async function setup(project: TestProject) {
  let baseUrl = process.env.DATABASE_URL;
  if (!baseUrl) {
    const dir = path.join(os.tmpdir(), `quiver-test-pg-${process.pid}`);
    embedded = await startEmbeddedPostgres(dir, await freePort());
    baseUrl = embedded.url;
  }
  const template = `quiver_tpl_${process.pid}`;
  const admin = createPool(baseUrl, 1);
  await admin.query(`drop database if exists ${template}`);
  await admin.query(`create database ${template}`);
  const tplPool = createPool(withDatabase(baseUrl, template), 2);
  await runMigrations(tplPool);
  await tplPool.end();

  project.provide("pgBaseUrl", baseUrl);
  project.provide("pgTemplate", template);

  return async () => {
    const { rows } = await admin.query<{ datname: string }>(
      "select datname from pg_database where datname like $1 or datname = $2",
      [`quiver_t_${process.pid}_%`, template],
    );
    for (const r of rows) await admin.query(`drop database if exists ${r.datname} with (force)`);
    await dropRoles(admin, `qt${process.pid}`);
    await admin.end();
    await embedded?.stop();
  };
}

/** Drops the offline roles whose names start with `prefix_` (test databases use such prefixes). */
export async function dropRoles(admin: pg.Pool, prefix: string): Promise<void> {
  const { rows } = await admin.query<{ rolname: string }>(
    "select rolname from pg_roles where rolname like $1",
    [`${prefix.replaceAll("_", "\\_")}\\_%`],
  );
  for (const r of rows) await admin.query(`drop role if exists "${r.rolname}"`);
}

export function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

declare module "vitest" {
  export interface ProvidedContext {
    pgBaseUrl: string;
    pgTemplate: string;
  }
}
