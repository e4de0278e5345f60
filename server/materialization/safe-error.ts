import pg from "pg";
import { isDomainError } from "../errors";
import { describeOfflineError } from "../offline";

/**
 * The text stored on a failed run, shown to users, prefixed with the step that failed: a domain
 * error's message (offline errors arrive mapped already, server/offline/errors.ts), or a Postgres
 * error described by its SQLSTATE (a raw message may quote a value). Anything else (network
 * errors, bugs) may carry hosts or internals, so it is replaced by a generic line; the full error
 * goes to the worker log.
 */
export function safeErrorMessage(step: string, e: unknown): string {
  if (isDomainError(e)) return `${step}: ${e.message}`;
  if (e instanceof pg.DatabaseError) return `${step}: ${describeOfflineError(e, 0).message}`;
  return `${step}: internal error (details in the worker log)`;
}
