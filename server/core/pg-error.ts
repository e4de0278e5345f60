import "server-only";
/**
 * Postgres errors as the driver reports them. drizzle wraps driver errors, so the SQLSTATE is on
 * the error or one of its causes; network errors (ECONNREFUSED and the like) are not SQLSTATEs.
 */
export interface PgError {
  /** The five-character SQLSTATE, e.g. "23505". */
  code: string;
  message: string;
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

/** The Postgres error in e's cause chain, if there is one. */
export function pgErrorOf(e: unknown): PgError | undefined {
  for (let cur = e, depth = 0; cur instanceof Error && depth < 5; cur = cur.cause, depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === "string" && SQLSTATE.test(code)) return { code, message: cur.message };
  }
  return undefined;
}

/** The SQLSTATE of the Postgres error in e's cause chain, if there is one. */
export function pgCode(e: unknown): string | undefined {
  return pgErrorOf(e)?.code;
}
