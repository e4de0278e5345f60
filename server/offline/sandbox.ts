import "server-only";
import type { ParseResult } from "libpg-query";
import { InvalidError } from "../core/errors";
import { MAX_QUERY_CHARS } from "../registry/schemas";

/**
 * Checks a user-written query source before it is ever run: the text must be one plain SELECT that
 * cannot write, lock, call a dangerous function or read the system catalogs. The check runs on the
 * real Postgres parser (libpg-query, compiled to WASM), so comments, quoting and `U&"..."` escapes
 * are seen as Postgres sees them. It is a first filter only: the reader must still run sources in a
 * read-only transaction, as a role without extra privileges, with a statement_timeout.
 *
 * Positions in messages are 1-based character offsets into the text as given, as Postgres reports them.
 */

/**
 * Functions a query source may not call, matched on the last part of the name, lower-cased (so
 * `PG_CATALOG.PG_SLEEP` is pg_sleep). Strings match whole names, patterns match prefixes.
 */
export const DENIED_FUNCTIONS: readonly (string | RegExp)[] = [
  // Stall the connection.
  "pg_sleep",
  "pg_sleep_for",
  "pg_sleep_until",
  // Read or list files on the database server.
  /^pg_read_/,
  /^pg_ls_/,
  "pg_stat_file",
  /^pg_file_/,
  // Large objects: lo_import/lo_export touch server files, the rest write the database.
  /^lo_/,
  "loread",
  "lowrite",
  // Reach other databases.
  /^dblink/,
  // Run SQL given as a string, out of reach of this check.
  /^query_to_xml/,
  /^table_to_xml/,
  /^cursor_to_xml/,
  /^schema_to_xml/,
  /^database_to_xml/,
  "ts_stat",
  "ts_rewrite",
  // Read or change settings (current_setting can reveal server configuration).
  "set_config",
  "current_setting",
  // Act on other sessions or on the server.
  "pg_terminate_backend",
  "pg_cancel_backend",
  "pg_signal_backend",
  "pg_reload_conf",
  "pg_rotate_logfile",
  "pg_log_backend_memory_contexts",
  "pg_log_standby_snapshot",
  "pg_promote",
  "pg_switch_wal",
  /^pg_wal_/,
  /^pg_backup_/,
  /^pg_stat_reset/,
  "pg_import_system_collations",
  // Locks held past the query.
  /^pg_advisory_/,
  /^pg_try_advisory_/,
  // Notifications, replication, slots, logical decoding.
  "pg_notify",
  /^pg_logical_/,
  /^pg_replication_/,
  "pg_sync_replication_slots",
  /^pg_create_/,
  /^pg_drop_/,
  /^pg_copy_/,
  // Writes hidden in a read: sequences, transaction ids, snapshots, index maintenance.
  "nextval",
  "setval",
  "currval",
  "lastval",
  "txid_current",
  "pg_current_xact_id",
  "pg_export_snapshot",
  "brin_summarize_new_values",
  "brin_summarize_range",
  "brin_desummarize_range",
  "gin_clean_pending_list",
];

/** Schemas a query source may not read: Postgres reserves the pg_ prefix (pg_catalog, pg_toast, pg_temp_N). */
function isSystemSchema(schema: string): boolean {
  return schema.startsWith("pg_") || schema === "information_schema";
}

const DATA_MODIFYING = new Set(["InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt"]);

/** Statement kinds whose node name does not read as the SQL command once "Stmt" is dropped. */
const STATEMENT_WORDS: Record<string, string> = {
  CreateStmt: "CREATE TABLE",
  IndexStmt: "CREATE INDEX",
  ViewStmt: "CREATE VIEW",
  RuleStmt: "CREATE RULE",
  CreateSeqStmt: "CREATE SEQUENCE",
  AlterSeqStmt: "ALTER SEQUENCE",
  CreateTrigStmt: "CREATE TRIGGER",
  CreatePLangStmt: "CREATE LANGUAGE",
  CompositeTypeStmt: "CREATE TYPE",
  DefineStmt: "CREATE",
  CreatedbStmt: "CREATE DATABASE",
  DropdbStmt: "DROP DATABASE",
  VariableShowStmt: "SHOW",
  ConstraintsSetStmt: "SET CONSTRAINTS",
  ClosePortalStmt: "CLOSE",
  DeclareCursorStmt: "DECLARE",
  CheckPointStmt: "CHECKPOINT",
  RefreshMatViewStmt: "REFRESH MATERIALIZED VIEW",
  SecLabelStmt: "SECURITY LABEL",
};

const LOCK_STRENGTHS: Record<string, string> = {
  LCS_FORUPDATE: "FOR UPDATE",
  LCS_FORNOKEYUPDATE: "FOR NO KEY UPDATE",
  LCS_FORSHARE: "FOR SHARE",
  LCS_FORKEYSHARE: "FOR KEY SHARE",
};

/** A refusal found in the tree; `at` is a byte offset into the UTF-8 text, as the parser gives it. */
interface Problem {
  message: string;
  at: number | undefined;
}

type LibPgQuery = typeof import("libpg-query");
let libPgQuery: Promise<LibPgQuery> | undefined;

/**
 * Loaded on first use: importing libpg-query compiles its WASM at once (tens of ms), which modules that
 * merely import this one should not pay. A failed load is forgotten so the next call retries.
 */
function loadParser(): Promise<LibPgQuery> {
  libPgQuery ??= import("libpg-query").catch((e: unknown) => {
    libPgQuery = undefined;
    throw e;
  });
  return libPgQuery;
}

/**
 * Bounds that keep the WASM parser's stack safe: it overflows at about 9k chained operators (~18k
 * characters) or ~2k nested subqueries, and each overflow corrupts it for the whole process. Far
 * below both, with room to spare for any real feature query.
 */
export const MAX_PAREN_DEPTH = 100;

/** Throws InvalidError (field "query") when `sql` is not one safe SELECT; returns it without trailing `;`. */
export async function checkQuerySource(sql: string): Promise<string> {
  if (sql.trim() === "") throw refuse("must not be empty");
  if (sql.length > MAX_QUERY_CHARS)
    throw refuse(`is ${sql.length} characters long; a query source may have at most ${MAX_QUERY_CHARS}`);
  let depth = 0;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i];
    if (ch === "(" && ++depth > MAX_PAREN_DEPTH)
      throw refuse(
        `nests parentheses deeper than ${MAX_PAREN_DEPTH} levels${atPosition(positionOfIndex(sql, i))}`,
      );
    if (ch === ")") depth = Math.max(0, depth - 1);
  }
  // The parser reads a C string: it would stop at a NUL and never see what follows.
  const nul = sql.indexOf("\u0000");
  if (nul >= 0) throw refuse(`must not contain NUL characters${atPosition(positionOfIndex(sql, nul))}`);

  const { parse, hasSqlDetails } = await loadParser();
  let result: ParseResult;
  try {
    result = await parse(sql);
  } catch (e) {
    if (hasSqlDetails(e)) throw refuse(`${e.message}${atPosition(e.sqlDetails.cursorPosition + 1)}`);
    // Deep nesting (~9k chained operators) overflows the JS stack inside the WASM parser. Refuse it; note
    // each overflow leaks parser state, and some tens of them leave the parser throwing RuntimeErrors.
    if (e instanceof RangeError) throw refuse("is nested too deeply for the SQL parser");
    throw e;
  }

  const bytes = new TextEncoder().encode(sql);
  const stmts = result.stmts ?? [];
  const first = stmts[0];
  if (!first) throw refuse("must not be empty (it has only comments)");
  if (stmts.length > 1) {
    const second = stmts[1]?.stmt_location ?? 0;
    const start = second + (decodeBytes(bytes, second).match(/^\s*/)?.[0].length ?? 0);
    throw refuse(
      `must be exactly one statement, found ${stmts.length} (the second starts at position ${positionOf(bytes, start)})`,
    );
  }

  const [kind, body] = Object.entries(first.stmt ?? {})[0] ?? ["", undefined];
  if (kind !== "SelectStmt" || !isRecord(body))
    throw refuse(`only a SELECT is allowed, got ${statementWords(kind, body)}`);

  const problems = findProblems(body);
  // Report the earliest problem in the text; those without a location come last.
  problems.sort((a, b) => (a.at ?? Number.POSITIVE_INFINITY) - (b.at ?? Number.POSITIVE_INFINITY));
  const problem = problems[0];
  if (problem) {
    throw refuse(
      `${problem.message}${problem.at === undefined ? "" : atPosition(positionOf(bytes, problem.at))}`,
    );
  }

  // Cut at the parser's end of the statement, so a `; -- comment` after it goes too.
  const startByte = first.stmt_location ?? 0;
  const endByte = first.stmt_len ? startByte + first.stmt_len : bytes.length;
  return decodeBytes(bytes.subarray(0, endByte), startByte)
    .trim()
    .replace(/[;\s]+$/, "");
}

/**
 * Walks every object in the tree. The JSON tree is not uniformly wrapped (`{FuncCall: {...}}` in lists,
 * but a bare SelectStmt under larg/rarg, a bare RangeVar under `rel`), so calls and relations are
 * recognised by their fields, and statements by their wrapper key. Iterative: deep trees would
 * overflow a recursive walk.
 */
function findProblems(root: Record<string, unknown>): Problem[] {
  const problems: Problem[] = [];
  const stack: { node: unknown; at: number | undefined }[] = [{ node: root, at: undefined }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { node } = item;
    if (Array.isArray(node)) {
      for (const child of node) stack.push({ node: child, at: item.at });
      continue;
    }
    if (!isRecord(node)) continue;
    // Nodes without a location of their own (a statement in a WITH) are placed at their nearest ancestor's.
    const here = locationOf(node) ?? item.at;
    checkNode(node, here, problems);
    for (const child of Object.values(node)) stack.push({ node: child, at: here });
  }
  return problems;
}

function checkNode(node: Record<string, unknown>, here: number | undefined, problems: Problem[]): void {
  if (Array.isArray(node.funcname)) {
    const name = lastName(node.funcname);
    if (name === undefined) problems.push({ message: "a function call with an unreadable name", at: here });
    else if (isDeniedFunction(name))
      problems.push({ message: `function ${name} is not allowed in a query source`, at: here });
  }
  if (typeof node.relname === "string") {
    const schema = typeof node.schemaname === "string" ? node.schemaname.toLowerCase() : undefined;
    const relname = node.relname.toLowerCase();
    if (schema === undefined ? relname.startsWith("pg_") : isSystemSchema(schema)) {
      const name = schema === undefined ? relname : `${schema}.${relname}`;
      problems.push({ message: `system catalog ${name} is not readable from a query source`, at: here });
    }
  }
  for (const [key, child] of Object.entries(node)) {
    if (key === "ParamRef" && isRecord(child)) {
      const number = typeof child.number === "number" ? ` ($${child.number})` : "";
      problems.push({
        message: `parameters${number} are not allowed in a query source`,
        at: locationOf(child),
      });
    } else if (key === "intoClause" && isRecord(child)) {
      const rel = isRecord(child.rel) ? locationOf(child.rel) : undefined;
      problems.push({
        message: "SELECT ... INTO is not allowed in a query source (it creates a table)",
        at: rel,
      });
    } else if (key === "lockingClause" && Array.isArray(child) && child.length > 0) {
      problems.push({
        message: `locking clause ${lockStrength(child)} is not allowed in a query source`,
        at: undefined,
      });
    } else if (key.endsWith("Stmt") && key !== "SelectStmt" && isRecord(child)) {
      const words = statementWords(key, child);
      const message = DATA_MODIFYING.has(key)
        ? `data-modifying ${words} is not allowed in a query source`
        : `only a SELECT is allowed, got ${words} inside it`;
      problems.push({ message, at: here });
    }
  }
}

function isDeniedFunction(name: string): boolean {
  return DENIED_FUNCTIONS.some((d) => (typeof d === "string" ? d === name : d.test(name)));
}

/** The last part of a qualified name (a list of String nodes), lower-cased. */
function lastName(parts: unknown[]): string | undefined {
  const last = parts.at(-1);
  const str = isRecord(last) && isRecord(last.String) ? last.String.sval : undefined;
  return typeof str === "string" ? str.toLowerCase() : undefined;
}

function lockStrength(clauses: unknown[]): string {
  const first = clauses[0];
  const clause = isRecord(first) && isRecord(first.LockingClause) ? first.LockingClause : undefined;
  const strength = typeof clause?.strength === "string" ? LOCK_STRENGTHS[clause.strength] : undefined;
  return strength ?? "FOR UPDATE/SHARE";
}

/** The statement kind in plain words: `CopyStmt` → COPY, `AlterTableStmt` → ALTER TABLE. */
function statementWords(kind: string, body: unknown): string {
  const b = isRecord(body) ? body : {};
  switch (kind) {
    case "VariableSetStmt":
      if (b.kind === "VAR_RESET" || b.kind === "VAR_RESET_ALL") return "RESET";
      if (b.name === "role") return "SET ROLE";
      if (b.name === "session_authorization") return "SET SESSION AUTHORIZATION";
      return "SET";
    case "GrantStmt":
      return b.is_grant ? "GRANT" : "REVOKE";
    case "VacuumStmt":
      return b.is_vacuumcmd ? "VACUUM" : "ANALYZE";
    case "TransactionStmt":
      return typeof b.kind === "string" ? b.kind.replace(/^TRANS_STMT_/, "").replaceAll("_", " ") : "BEGIN";
    case "CreateTableAsStmt":
      return b.objtype === "OBJECT_MATVIEW" ? "CREATE MATERIALIZED VIEW" : "CREATE TABLE AS";
  }
  if (!kind) return "an empty statement";
  return (
    STATEMENT_WORDS[kind] ??
    kind
      .replace(/Stmt$/, "")
      .replace(/([a-z])([A-Z])/g, "$1 $2")
      .toUpperCase()
  );
}

function refuse(problem: string): InvalidError {
  return new InvalidError(`query: ${problem}`, "query");
}

function atPosition(position: number): string {
  return ` (at position ${position})`;
}

function locationOf(node: Record<string, unknown>): number | undefined {
  // -1 means "no location" in the parse tree.
  return typeof node.location === "number" && node.location >= 0 ? node.location : undefined;
}

/** 1-based character position of a byte offset into the UTF-8 text (counting non-continuation bytes). */
function positionOf(bytes: Uint8Array, byteOffset: number): number {
  let chars = 0;
  for (let i = 0; i < byteOffset && i < bytes.length; i++) if (((bytes[i] ?? 0) & 0xc0) !== 0x80) chars++;
  return chars + 1;
}

/** 1-based character (code point) position of a UTF-16 index, matching Postgres' counting. */
function positionOfIndex(text: string, index: number): number {
  return [...text.slice(0, index)].length + 1;
}

function decodeBytes(bytes: Uint8Array, fromByte: number): string {
  return new TextDecoder().decode(bytes.subarray(fromByte));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
