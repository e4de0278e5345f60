import "server-only";
/**
 * The materialize queue's retry policy (docs/adr/0005-materialization.md, 0016). The run row counts
 * attempts; pg-boss's job carries the same limits so both agree on when a run has none left.
 */

/** The pg-boss queue of materialization runs; a job's id is its run's id. */
export const MATERIALIZE_JOB = "materialize";

/** Retries after the first attempt; a run gets at most MAX_ATTEMPTS attempts. */
export const RETRY_LIMIT = 2;
export const MAX_ATTEMPTS = RETRY_LIMIT + 1;
/** First retry after 10 s, doubling (pg-boss backoff). */
export const RETRY_DELAY_SECONDS = 10;
/**
 * pg-boss fails a job whose handler runs longer than this. A dead worker is found by its missing
 * heartbeat (sweep-runs.ts), not by this expiry, so it is long: it only bounds one attempt, and
 * covers the one case heartbeats cannot see (a worker that died between fetching a job and
 * claiming its run).
 */
export const EXPIRE_IN_SECONDS = 6 * 60 * 60;
