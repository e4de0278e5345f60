import pg from "pg";
import { isDomainError } from "../errors";

/**
 * The text stored on a failed run, shown to users: a domain error's message or a Postgres error's
 * (they name tables and columns, which the user defined), prefixed with the step that failed.
 * Anything else (network errors, bugs) may carry hosts or internals, so it is replaced by a generic
 * line; the full error goes to the worker log.
 */
export function safeErrorMessage(step: string, e: unknown): string {
  if (isDomainError(e) || e instanceof pg.DatabaseError) return `${step}: ${e.message}`;
  return `${step}: internal error (details in the worker log)`;
}
