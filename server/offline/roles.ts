import "server-only";
import { createHash, createHmac } from "node:crypto";
import { quoteIdent } from "./source-query";

/**
 * Names, passwords and grants of the per-project offline roles (docs/adr/0013-offline-isolation.md).
 * Pure: the store (store.ts) runs what this module builds, or prints it for a DBA.
 *
 * Each project has two LOGIN roles in the offline database, members of nothing:
 * - reader: USAGE + SELECT on the project's own and granted shared schemas; READ ONLY by default.
 *   Source scans, probes and user-written SQL run as it.
 * - writer: USAGE, CREATE + SELECT, INSERT on the project's own schemas. Pushes and the demo seed
 *   write as it; no user-written SQL ever runs as it.
 */

/** The schemas a project's roles may use. */
export interface OfflineSpace {
  /** Schemas the project owns (reader reads, writer writes); the first is where unqualified table names go. */
  own: string[];
  /** Schemas the project may read (granted by its owner, from the deployment's shareable list). */
  shared: string[];
}

export interface ProjectRoles {
  reader: string;
  writer: string;
}

/** Roles are cluster-wide, databases are not: the prefix ties a project's roles to one offline database. */
export function rolePrefixFor(offlineDatabase: string): string {
  return `qv_${createHash("sha256").update(offlineDatabase).digest("hex").slice(0, 8)}`;
}

const MAX_IDENT = 63;

export function projectRoles(prefix: string, project: string): ProjectRoles {
  // `_r`/`_w` plus the separator leave room for the project part; a long name keeps a readable head
  // and a hash of the whole, so two long names never share a role.
  const room = MAX_IDENT - prefix.length - 3;
  const part =
    project.length <= room
      ? project
      : `${project.slice(0, room - 9)}_${createHash("sha256").update(project).digest("hex").slice(0, 8)}`;
  return { reader: `${prefix}_${part}_r`, writer: `${prefix}_${part}_w` };
}

/** A role's password, derived from the deployment's secret: nothing to store, the same in every process. */
export function rolePassword(secret: string, role: string): string {
  return createHmac("sha256", secret).update(`quiver-offline-role:${role}`).digest("base64url");
}

/** Schemas no project may own or be granted: Postgres's own. */
export function isReservedSchema(schema: string): boolean {
  return (
    schema === "public" ||
    schema === "information_schema" ||
    schema.startsWith("pg_") ||
    schema.startsWith("pg-")
  );
}

function literal(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

export interface ProvisionPlan {
  /** CREATE ROLE for the roles that do not exist yet (with LOGIN, no attributes, a password). */
  createRoles: string[];
  /** Everything else, idempotent: passwords, role settings, schemas, grants, default privileges. */
  grants: string[];
}

export interface ProvisionInput {
  database: string;
  roles: ProjectRoles;
  space: OfflineSpace;
  secret: string;
  /** Which of the two roles exist already (CREATE ROLE has no IF NOT EXISTS). */
  existing: ReadonlySet<string>;
  timeouts: { scanMs: number; writeMs: number };
}

/**
 * The statements that give a project its offline space. Run by the offline database's administrator,
 * in one transaction; every statement can run again without harm.
 */
export function provisionPlan(p: ProvisionInput): ProvisionPlan {
  const r = quoteIdent(p.roles.reader);
  const w = quoteIdent(p.roles.writer);
  const createRoles = [p.roles.reader, p.roles.writer]
    .filter((role) => !p.existing.has(role))
    .map(
      (role) =>
        `CREATE ROLE ${quoteIdent(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS PASSWORD ${literal(rolePassword(p.secret, role))}`,
    );
  const grants: string[] = [];
  for (const role of [p.roles.reader, p.roles.writer])
    grants.push(`ALTER ROLE ${quoteIdent(role)} PASSWORD ${literal(rolePassword(p.secret, role))}`);
  // Backstops in case a statement ever runs without Quiver's own SET LOCALs.
  grants.push(
    `ALTER ROLE ${r} SET statement_timeout = ${p.timeouts.scanMs}`,
    `ALTER ROLE ${r} SET default_transaction_read_only = on`,
    `ALTER ROLE ${r} SET idle_in_transaction_session_timeout = ${Math.max(p.timeouts.scanMs, 60_000)}`,
    `ALTER ROLE ${w} SET statement_timeout = ${p.timeouts.writeMs}`,
    `ALTER ROLE ${w} SET idle_in_transaction_session_timeout = ${Math.max(p.timeouts.writeMs, 60_000)}`,
    `GRANT CONNECT ON DATABASE ${quoteIdent(p.database)} TO ${r}, ${w}`,
  );
  for (const schema of p.space.own) {
    const s = quoteIdent(schema);
    grants.push(
      `CREATE SCHEMA IF NOT EXISTS ${s}`,
      `REVOKE ALL ON SCHEMA ${s} FROM PUBLIC`,
      `GRANT USAGE ON SCHEMA ${s} TO ${r}, ${w}`,
      `GRANT CREATE ON SCHEMA ${s} TO ${w}`,
      `GRANT SELECT ON ALL TABLES IN SCHEMA ${s} TO ${r}`,
      `GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA ${s} TO ${w}`,
      // Tables the administrator (or a loader running as it) creates later, and those the writer creates.
      `ALTER DEFAULT PRIVILEGES IN SCHEMA ${s} GRANT SELECT ON TABLES TO ${r}`,
      `ALTER DEFAULT PRIVILEGES IN SCHEMA ${s} GRANT SELECT, INSERT ON TABLES TO ${w}`,
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${w} IN SCHEMA ${s} GRANT SELECT ON TABLES TO ${r}`,
    );
  }
  for (const schema of p.space.shared) {
    const s = quoteIdent(schema);
    grants.push(`GRANT USAGE ON SCHEMA ${s} TO ${r}`, `GRANT SELECT ON ALL TABLES IN SCHEMA ${s} TO ${r}`);
  }
  return { createRoles, grants };
}

/** Takes a shared schema away from a project's reader. */
export function revokeSharedPlan(roles: ProjectRoles, schema: string): string[] {
  const s = quoteIdent(schema);
  const r = quoteIdent(roles.reader);
  return [`REVOKE SELECT ON ALL TABLES IN SCHEMA ${s} FROM ${r}`, `REVOKE USAGE ON SCHEMA ${s} FROM ${r}`];
}

/**
 * For a database Quiver creates itself: nobody but the roles it grants may connect or create
 * objects. Not applied to a user-supplied OFFLINE_DATABASE_URL (other users may rely on PUBLIC).
 */
export function lockDownDatabasePlan(database: string): string[] {
  return [
    `REVOKE ALL ON DATABASE ${quoteIdent(database)} FROM PUBLIC`,
    "REVOKE ALL ON SCHEMA public FROM PUBLIC",
  ];
}
