import "server-only";
import pg from "pg";
import { lockDownDatabasePlan } from "./roles";
import { quoteIdent } from "./source-query";

/**
 * Where the offline store lives. OFFLINE_DATABASE_URL when set (a warehouse-like server the team
 * runs; Quiver only adds its roles and schemas there). Otherwise a database of its own beside the
 * registry's, on the same server, named `<registry database>_offline`: created on first use and
 * locked down (no PUBLIC connect or create), so only the roles Quiver grants can reach it.
 */

export interface OfflineDatabase {
  /** The administrator's URL of the offline database. */
  url: string;
  /** True when Quiver created (and so manages) the database itself. */
  managed: boolean;
}

export function defaultOfflineUrl(registryUrl: string): string {
  const u = new URL(registryUrl);
  const db = decodeURIComponent(u.pathname.replace(/^\//, "")) || "postgres";
  u.pathname = `/${encodeURIComponent(`${db}_offline`)}`;
  return u.toString();
}

/** Resolves, and when it is Quiver's own, creates and locks down the offline database. */
export async function ensureOfflineDatabase(
  registryUrl: string,
  configured?: string,
): Promise<OfflineDatabase> {
  if (configured) return { url: configured, managed: false };
  const url = defaultOfflineUrl(registryUrl);
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const admin = new pg.Client({ connectionString: registryUrl });
  admin.on("error", () => {});
  await admin.connect();
  try {
    const { rowCount } = await admin.query("select 1 from pg_database where datname = $1", [name]);
    if (!rowCount) {
      try {
        await admin.query(`create database ${quoteIdent(name)}`);
      } catch (e) {
        const code = (e as { code?: string }).code;
        // Another process created it at the same moment.
        if (code !== "42P04" && code !== "23505") {
          if (code === "42501")
            throw new Error(
              `the offline database "${name}" does not exist and DATABASE_URL's role may not create it: create it (owned by that role), or set OFFLINE_DATABASE_URL`,
            );
          throw e;
        }
      }
    }
  } finally {
    await admin.end().catch(() => {});
  }
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {});
  await client.connect();
  try {
    for (const statement of lockDownDatabasePlan(name)) await client.query(statement);
  } finally {
    await client.end().catch(() => {});
  }
  return { url, managed: true };
}
