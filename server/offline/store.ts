import "server-only";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { UnavailableError } from "../core/errors";
import { createFileArea, type FileArea } from "./file-area";
import {
  isReservedSchema,
  type OfflineSpace,
  type ProjectRoles,
  projectRoles,
  provisionPlan,
  revokeSharedPlan,
  rolePassword,
  rolePrefixFor,
} from "./roles";

/**
 * The offline store's access layer: every offline statement (scans, probes, pushes, the demo seed)
 * runs here, on connections of its own, as the project's least-privileged role, never on the
 * registry's pool and never as a superuser (docs/adr/0013-offline-isolation.md).
 *
 * - The administrator connection (OFFLINE_DATABASE_URL or its default) only provisions: roles,
 *   schemas, grants. It never runs a statement built from a source.
 * - Each project has a reader pool (its size is the project's limit of concurrent offline
 *   statements, so one project cannot starve another) and a small writer pool.
 * - Every connection is checked before first use: a role that is a superuser, may create roles or
 *   databases, bypasses row security or is a member of any role is refused.
 * - Every transaction sets its statement_timeout and lock_timeout and runs in UTC.
 */

export type OfflinePurpose = "probe" | "scan" | "write";

export interface OfflineTimeouts {
  probeMs: number;
  scanMs: number;
  writeMs: number;
  lockMs: number;
}

export interface OfflineStoreConfig {
  /** The administrator's URL of the offline database. */
  adminUrl: string;
  /** Derives the roles' passwords. */
  secret: string;
  /** Prefix of the role names; default: derived from the database name. */
  rolePrefix?: string;
  /** Reader connections per project (and process). */
  connectionsPerProject: number;
  timeouts: OfflineTimeouts;
  /** The project's schemas as the registry records them (own defaults to the project's name). */
  loadSpace(project: string): Promise<OfflineSpace>;
  /** How long to wait for a free connection of a project before giving up. */
  acquireTimeoutMs?: number;
  /** false: query sources are switched off (QUIVER_QUERY_SOURCES=off). */
  querySources: boolean;
  /** Root of the file area (file sources, uploads, Parquet datasets); default: a folder in the OS temp dir. */
  filesDir?: string;
}

/** An open offline transaction, for work that outlives one callback (cursor scans). */
export interface OfflineTx {
  client: pg.PoolClient;
  commit(): Promise<void>;
  /** Rolls back and frees the connection; safe to call after commit (it does nothing then). */
  rollback(): Promise<void>;
}

export interface OfflineStore {
  /** The offline database's name. */
  readonly database: string;
  readonly timeouts: OfflineTimeouts;
  readonly querySources: boolean;
  /** The projects' files (file-area.ts). */
  readonly files: FileArea;
  roles(project: string): ProjectRoles;
  /** The project's schemas (cached for a few seconds). */
  space(project: string): Promise<OfflineSpace>;
  /** Creates the project's roles and schemas and grants its space; again after a change of space. */
  provision(project: string): Promise<void>;
  /** Takes a shared schema's read access away from the project's reader. */
  revokeShared(project: string, schema: string): Promise<void>;
  /** The statements a DBA runs when the administrator may not (passwords included: show to operators only). */
  setupStatements(project: string): Promise<string[]>;
  /** Opens a transaction as the project's reader (probe, scan) or writer (write). */
  begin(project: string, purpose: OfflinePurpose): Promise<OfflineTx>;
  /** Runs fn in such a transaction: committed when fn resolves, rolled back when it throws. */
  transaction<T>(project: string, purpose: OfflinePurpose, fn: (c: pg.PoolClient) => Promise<T>): Promise<T>;
  /** Checks that the project's roles can connect and are not privileged (start-up). */
  verify(project: string): Promise<void>;
  close(): Promise<void>;
}

/** A role Quiver must not run offline SQL as; the message says why and what to do. */
export class PrivilegedRoleError extends UnavailableError {}

const SPACE_TTL_MS = 15_000;
/** Serialises provisioning of one offline database across processes. */
const PROVISION_LOCK = 724_313;

interface ProjectPools {
  reader: pg.Pool;
  writer: pg.Pool;
}

export function createOfflineStore(cfg: OfflineStoreConfig): OfflineStore {
  const database = databaseOf(cfg.adminUrl);
  const prefix = cfg.rolePrefix ?? rolePrefixFor(database);
  const admin = newPool(cfg.adminUrl, 2, cfg.acquireTimeoutMs);
  const spaces = new Map<string, { at: number; space: Promise<OfflineSpace> }>();
  const provisioned = new Map<string, Promise<void>>();
  const pools = new Map<string, ProjectPools>();
  const verified = new WeakSet<pg.ClientBase>();
  let closed = false;

  const roles = (project: string) => projectRoles(prefix, project);

  function space(project: string): Promise<OfflineSpace> {
    const hit = spaces.get(project);
    if (hit && Date.now() - hit.at < SPACE_TTL_MS) return hit.space;
    const loaded = cfg.loadSpace(project).then(checkSpace);
    spaces.set(project, { at: Date.now(), space: loaded });
    loaded.catch(() => spaces.delete(project));
    return loaded;
  }

  async function plan(client: pg.ClientBase, project: string) {
    const s = await space(project);
    const r = roles(project);
    const existing = await client.query<{ rolname: string }>(
      "select rolname from pg_roles where rolname = any($1)",
      [[r.reader, r.writer]],
    );
    // A granted shared schema that was dropped since cannot be granted on; skip it.
    const schemas = await client.query<{ nspname: string }>(
      "select nspname from pg_namespace where nspname = any($1)",
      [s.shared],
    );
    const present = new Set(schemas.rows.map((x) => x.nspname));
    return provisionPlan({
      database,
      roles: r,
      space: { own: s.own, shared: s.shared.filter((x) => present.has(x)) },
      secret: cfg.secret,
      existing: new Set(existing.rows.map((x) => x.rolname)),
      timeouts: cfg.timeouts,
    });
  }

  async function runProvision(project: string): Promise<void> {
    const client = await admin.connect();
    let broken: Error | undefined;
    try {
      await client.query("BEGIN");
      await client.query("select pg_advisory_xact_lock($1)", [PROVISION_LOCK]);
      const p = await plan(client, project);
      for (const statement of [...p.createRoles, ...p.grants]) await client.query(statement);
      await client.query("COMMIT");
    } catch (e) {
      await client.query("ROLLBACK").catch((err: Error) => {
        broken = err;
      });
      if ((e as { code?: string }).code === "42501") {
        // The administrator may not manage roles: a DBA did (or must do) it. Carry on if the roles
        // work; verify() says exactly what is missing otherwise.
        return;
      }
      throw e;
    } finally {
      client.release(broken);
    }
  }

  function provisionOnce(project: string): Promise<void> {
    let p = provisioned.get(project);
    if (!p) {
      p = runProvision(project);
      provisioned.set(project, p);
      p.catch(() => provisioned.delete(project));
    }
    return p;
  }

  function poolsOf(project: string): ProjectPools {
    let p = pools.get(project);
    if (!p) {
      const r = roles(project);
      p = {
        reader: newPool(
          roleUrl(cfg.adminUrl, r.reader, cfg.secret),
          cfg.connectionsPerProject,
          cfg.acquireTimeoutMs,
        ),
        writer: newPool(roleUrl(cfg.adminUrl, r.writer, cfg.secret), 2, cfg.acquireTimeoutMs),
      };
      pools.set(project, p);
    }
    return p;
  }

  async function connect(project: string, purpose: OfflinePurpose): Promise<pg.PoolClient> {
    if (closed) throw new UnavailableError("the offline store is closed");
    await provisionOnce(project);
    const p = poolsOf(project);
    const role = purpose === "write" ? roles(project).writer : roles(project).reader;
    let client: pg.PoolClient;
    try {
      client = await (purpose === "write" ? p.writer : p.reader).connect();
    } catch (e) {
      throw connectError(e, project, role, cfg.connectionsPerProject);
    }
    if (!verified.has(client)) {
      try {
        await checkRole(client);
      } catch (e) {
        client.release(e instanceof Error ? e : new Error(String(e)));
        throw e;
      }
      verified.add(client);
    }
    return client;
  }

  function timeoutOf(purpose: OfflinePurpose): number {
    return purpose === "probe"
      ? cfg.timeouts.probeMs
      : purpose === "scan"
        ? cfg.timeouts.scanMs
        : cfg.timeouts.writeMs;
  }

  async function begin(project: string, purpose: OfflinePurpose): Promise<OfflineTx> {
    const client = await connect(project, purpose);
    let open = true;
    const finish = async (statement: "COMMIT" | "ROLLBACK") => {
      if (!open) return;
      open = false;
      let broken: Error | undefined;
      try {
        await client.query(statement);
      } catch (e) {
        broken = e instanceof Error ? e : new Error(String(e));
        if (statement === "COMMIT") {
          client.release(broken);
          throw e;
        }
      }
      // A connection that could not roll back is not safe to reuse.
      client.release(broken);
    };
    try {
      await client.query(
        [
          purpose === "write" ? "BEGIN READ WRITE" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
          `SET LOCAL statement_timeout = ${timeoutOf(purpose)}`,
          `SET LOCAL lock_timeout = ${cfg.timeouts.lockMs}`,
          "SET LOCAL TIME ZONE 'UTC'",
        ].join("; "),
      );
    } catch (e) {
      open = false;
      client.release(e instanceof Error ? e : new Error(String(e)));
      throw e;
    }
    return { client, commit: () => finish("COMMIT"), rollback: () => finish("ROLLBACK") };
  }

  return {
    database,
    timeouts: cfg.timeouts,
    querySources: cfg.querySources,
    files: createFileArea(cfg.filesDir ?? path.join(os.tmpdir(), `quiver-files-${database}`)),
    roles,
    space,
    async provision(project) {
      spaces.delete(project);
      provisioned.delete(project);
      await provisionOnce(project);
    },
    async revokeShared(project, schema) {
      const client = await admin.connect();
      try {
        for (const statement of revokeSharedPlan(roles(project), schema)) await client.query(statement);
      } finally {
        client.release();
      }
      spaces.delete(project);
    },
    async setupStatements(project) {
      const client = await admin.connect();
      try {
        const p = await plan(client, project);
        return [...p.createRoles, ...p.grants];
      } finally {
        client.release();
      }
    },
    begin,
    async transaction(project, purpose, fn) {
      const tx = await begin(project, purpose);
      try {
        const result = await fn(tx.client);
        await tx.commit();
        return result;
      } finally {
        await tx.rollback();
      }
    },
    async verify(project) {
      const tx = await begin(project, "probe");
      await tx.rollback();
      const w = await begin(project, "write");
      await w.rollback();
    },
    async close() {
      closed = true;
      const all = [admin, ...[...pools.values()].flatMap((p) => [p.reader, p.writer])];
      pools.clear();
      await Promise.all(all.map((p) => p.end().catch(() => {})));
    },
  };
}

function checkSpace(s: OfflineSpace): OfflineSpace {
  for (const schema of [...s.own, ...s.shared])
    if (isReservedSchema(schema))
      throw new UnavailableError(
        `schema "${schema}" is Postgres's own and cannot be part of an offline space`,
      );
  if (s.own.length === 0) throw new UnavailableError("an offline space needs at least one schema of its own");
  return s;
}

function newPool(url: string, max: number, acquireTimeoutMs = 30_000): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    idleTimeoutMillis: 10_000,
    connectionTimeoutMillis: acquireTimeoutMs,
    application_name: "quiver-offline",
    // Every session in UTC: a `timestamp` column then reads and writes as UTC wall time.
    options: "-c TimeZone=UTC",
  });
  pool.on("error", () => {});
  return pool;
}

function databaseOf(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ""));
  if (!name) throw new Error("the offline database URL names no database");
  return name;
}

function roleUrl(adminUrl: string, role: string, secret: string): string {
  const u = new URL(adminUrl);
  u.username = encodeURIComponent(role);
  u.password = encodeURIComponent(rolePassword(secret, role));
  return u.toString();
}

const PRIVILEGES: [keyof RoleRow, string][] = [
  ["super", "is a superuser"],
  ["createrole", "may create roles"],
  ["createdb", "may create databases"],
  ["bypassrls", "bypasses row-level security"],
];

interface RoleRow {
  role: string;
  super: boolean;
  createrole: boolean;
  createdb: boolean;
  bypassrls: boolean;
  memberships: number;
}

/** Refuses a connection whose role holds any privilege beyond its grants. */
async function checkRole(client: pg.ClientBase): Promise<void> {
  const { rows } = await client.query<RoleRow>(
    `select r.rolname as role, r.rolsuper as super, r.rolcreaterole as createrole, r.rolcreatedb as createdb,
            r.rolbypassrls as bypassrls,
            (select count(*) from pg_auth_members m where m.member = r.oid)::int as memberships
       from pg_roles r where r.rolname = current_user`,
  );
  const row = rows[0];
  if (!row) throw new PrivilegedRoleError("refusing to run offline SQL: the current role is unknown");
  const why = PRIVILEGES.filter(([k]) => row[k] === true).map(([, w]) => w);
  if (row.memberships > 0)
    why.push(`is a member of ${row.memberships} other role(s), whose privileges it would use`);
  if (why.length > 0)
    throw new PrivilegedRoleError(
      `refusing to run offline SQL as role "${row.role}": it ${why.join(", ")}. Offline roles must be plain LOGIN roles with grants on the project's schemas only (docs/adr/0013-offline-isolation.md)`,
    );
}

function connectError(e: unknown, project: string, role: string, limit: number): Error {
  const code = (e as { code?: string }).code;
  if (code === "28P01" || code === "28000")
    return new UnavailableError(
      `the offline role "${role}" of project "${project}" cannot sign in; a DBA must create it and grant its schemas (\`npx quiver offline setup-sql --project ${project}\` prints the statements)`,
    );
  if (e instanceof Error && /timeout exceeded when trying to connect/.test(e.message))
    return new UnavailableError(
      `project "${project}" has all its ${limit} offline connections busy; try again shortly`,
    );
  if (code === "ECONNREFUSED") return new UnavailableError("offline store unavailable: connection refused");
  return e instanceof Error ? e : new Error(String(e));
}
