import "server-only";
import { InvalidError, isDomainError, UnavailableError } from "../core/errors";
import { pgErrorOf } from "../core/pg-error";

/**
 * Error text from offline SQL, made safe to show. Postgres messages of data errors quote the value
 * that failed (`invalid input syntax for type integer: "<a password hash>"`), so a query source
 * could read any readable value out through an error. Only messages that are known to carry names
 * (of tables, columns, functions: things the user wrote) pass through; every other one is replaced
 * by its SQLSTATE's name. Nothing of the value, DETAIL, HINT or WHERE ever passes.
 */

export type OfflineFailureKind = "timeout" | "invalid" | "unavailable" | "failed";

export interface OfflineFailure {
  kind: OfflineFailureKind;
  /** Safe to show to anyone who may see the source. */
  message: string;
}

/** Class 42 is raised while a statement is parsed and planned, before any row is read. */
const NAMING_CODES = new Set([
  "42P01", // undefined_table: relation "x" does not exist
  "42703", // undefined_column
  "42883", // undefined_function
  "42P02", // undefined_parameter
  "42601", // syntax_error
  "42804", // datatype_mismatch
  "42846", // cannot_coerce
  "42803", // grouping_error
  "42702", // ambiguous_column
  "42725", // ambiguous_function
  "42P10", // invalid_column_reference
  "42P18", // indeterminate_datatype
  "3F000", // invalid_schema_name
]);

const NAMES: Record<string, string> = {
  "22001": "a value is too long for its column",
  "22003": "a numeric value is out of range",
  "22007": "a date or time value has an invalid format",
  "22008": "a date or time value is out of range",
  "22012": "division by zero",
  "22P02": "a value has the wrong syntax for its type",
  "23502": "a required value is missing (not-null constraint)",
  "23503": "a foreign key constraint is violated",
  "23505": "a unique constraint is violated",
  "23514": "a check constraint is violated",
  "25006": "the statement tried to write in a read-only transaction",
  "42501": "permission denied",
  "53100": "the offline database is out of disk space",
  "53200": "the offline database is out of memory",
  "53300": "the offline database has too many connections",
  "54000": "the statement exceeded a program limit",
  "55P03": "a lock could not be taken in time (lock_timeout)",
  "57014": "the statement was cancelled",
  "57P01": "the offline database is shutting down",
  "57P03": "the offline database is not accepting connections yet",
};

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  ETIMEDOUT: "connection timed out",
  ENOTFOUND: "host not found",
  EHOSTUNREACH: "host unreachable",
};

/**
 * What went wrong in an offline statement, in words safe to show. `timeoutMs` is the
 * statement_timeout the statement ran under, for "timed out after N s".
 */
export function describeOfflineError(e: unknown, timeoutMs: number): OfflineFailure {
  if (e instanceof OfflineTimeoutError) return { kind: "timeout", message: e.message };
  if (isDomainError(e))
    return {
      kind: e.code === "UNAVAILABLE" ? "unavailable" : e.code === "INVALID" ? "invalid" : "failed",
      message: e.message,
    };
  const pg = pgErrorOf(e);
  if (pg) {
    if (pg.code === "57014" && /statement timeout/.test(pg.message))
      return { kind: "timeout", message: `timed out after ${seconds(timeoutMs)}` };
    if (NAMING_CODES.has(pg.code)) return { kind: "invalid", message: pg.message };
    const name = NAMES[pg.code] ?? "the statement failed";
    const kind: OfflineFailureKind = /^(08|53|57)/.test(pg.code)
      ? "unavailable"
      : /^(22|23|25|42|55)/.test(pg.code)
        ? "invalid"
        : "failed";
    return { kind, message: `${name} (SQLSTATE ${pg.code})` };
  }
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === "string" && NETWORK_CODES[code])
    return { kind: "unavailable", message: `offline store unavailable: ${NETWORK_CODES[code]}` };
  if (e instanceof Error && /timeout exceeded when trying to connect/.test(e.message))
    return { kind: "unavailable", message: "offline store unavailable: no connection free in time" };
  return { kind: "failed", message: "the statement failed (details in the server log)" };
}

/** A statement that ran out of its statement_timeout (a 400: the source is too slow). */
export class OfflineTimeoutError extends InvalidError {}

/**
 * The same, as the domain error a service throws: bad SQL is the caller's (400), a dead store a 503.
 * `what` prefixes the message (empty: the caller's own step names the context).
 */
export function offlineError(e: unknown, what: string, timeoutMs: number, field?: string): Error {
  if (isDomainError(e)) return e;
  const f = describeOfflineError(e, timeoutMs);
  const message = what ? `${what}: ${f.message}` : f.message;
  if (f.kind === "unavailable") return new UnavailableError(message);
  if (f.kind === "timeout") return new OfflineTimeoutError(message, field);
  if (f.kind === "invalid") return new InvalidError(message, field);
  return new UnavailableError(message);
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}
