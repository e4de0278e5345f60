import "server-only";
import { isDomainError } from "../core/errors";
import { describeOfflineError } from "../offline";

/**
 * The text stored on a failed run attempt, shown to everyone who may see the project's runs: the
 * step that failed, then what went wrong in words that carry no value, host or credential.
 *
 * - A store that cannot be reached is named with the reason, wherever the network error sits in the
 *   cause chain: "online store unavailable: connection refused".
 * - Offline errors arrive mapped already (server/offline/errors.ts): "timed out after 600 s",
 *   `relation "proj.t" does not exist`, "a value has the wrong syntax for its type (SQLSTATE 22P02)".
 * - Other domain errors are written for users and pass as they are.
 * - Postgres errors of the registry or the Postgres online store are described by their SQLSTATE
 *   (their text may quote a value); Redis refusals by their error code.
 * - Anything else is a bug: its class name, and the full error in the worker log.
 */

/** Where a step's work happens, which names the store in the message. */
export type RunStore = "offline" | "online" | "registry";

export interface RunStep {
  /** What the run was doing: `reading source "x"`, "writing to the online store". */
  label: string;
  store: RunStore;
}

const STORE_NAMES: Record<RunStore, string> = {
  offline: "offline store",
  online: "online store",
  registry: "registry database",
};

export function safeErrorMessage(step: RunStep, e: unknown): string {
  return `${step.label}: ${describeRunError(step.store, e)}`;
}

export function describeRunError(store: RunStore, e: unknown): string {
  const name = STORE_NAMES[store];
  const lost = connectionProblem(e);
  if (lost) return `${name} unavailable: ${lost}`;
  // Offline errors are mapped where they are raised; this also covers one that escaped mapping.
  if (store === "offline") return describeOfflineError(e, 0).message;
  if (isDomainError(e)) return e.message;
  const pg = sqlStateOf(e);
  if (pg) return describeSqlState(name, pg);
  const redis = redisProblem(e);
  if (redis) return `${name} ${redis}`;
  const cls = e instanceof Error && /^[A-Za-z]\w{0,40}$/.test(e.name) ? e.name : "error";
  return `unexpected ${cls} (details in the worker log)`;
}

/** Errors and their causes, outermost first (AggregateError's members too), a few levels deep. */
function chain(e: unknown): unknown[] {
  const out: unknown[] = [];
  const visit = (x: unknown, depth: number) => {
    if (x === undefined || x === null || depth > 5 || out.length > 20) return;
    out.push(x);
    if (x instanceof AggregateError) for (const m of x.errors) visit(m, depth + 1);
    if (x instanceof Error) visit(x.cause, depth + 1);
  };
  visit(e, 0);
  return out;
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  ECONNABORTED: "connection aborted",
  EPIPE: "connection lost",
  ETIMEDOUT: "connection timed out",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host not found",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "host unreachable",
};

/** Client messages (pg, ioredis and the Redis store's wait) that mean the connection is gone. */
const CONNECTION_MESSAGES: [RegExp, string][] = [
  [/^Connection terminated due to connection timeout/, "connection timed out"],
  [/^Connection terminated/, "connection lost"],
  [/is not queryable/, "connection lost"],
  [/^timeout exceeded when trying to connect/, "no connection free in time"],
  [/^Connection is closed/, "connection closed"],
  [/^Stream isn't writeable/, "not connected"],
  [/^Reached the max retries per request limit/, "connection lost"],
  [/^connection is (reconnecting|end|close|closed)$/, "not connected"],
  [/^connection closed$/, "connection closed"],
  [/^no connection after \d+ ms$/, "connection timed out"],
];

function connectionProblem(e: unknown): string | undefined {
  for (const x of chain(e)) {
    // A domain error's code is its kind (UNAVAILABLE, ...); its cause may still be a network error.
    if (isDomainError(x)) continue;
    const code = (x as { code?: unknown } | null)?.code;
    if (typeof code === "string" && NETWORK_CODES[code]) return NETWORK_CODES[code];
    // Class 08: connection exception; 57P01–57P03: the server is shutting down or starting.
    if (typeof code === "string" && /^08/.test(code)) return "connection lost";
    if (code === "57P01" || code === "57P02") return "the database server ended the connection";
    if (code === "57P03") return "the database server is not accepting connections yet";
    const message = x instanceof Error ? x.message : typeof x === "string" ? x : undefined;
    if (message === undefined) continue;
    for (const [pattern, words] of CONNECTION_MESSAGES) if (pattern.test(message)) return words;
  }
  return undefined;
}

function sqlStateOf(e: unknown): string | undefined {
  for (const x of chain(e)) {
    if (isDomainError(x)) continue;
    const code = (x as { code?: unknown } | null)?.code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

const SQLSTATES: Record<string, string> = {
  "40001": "a concurrent change got in the way (serialization failure)",
  "40P01": "a concurrent change got in the way (deadlock)",
  "42501": "permission denied",
  "25006": "is read-only (a standby?)",
  "53100": "is out of disk space",
  "53200": "is out of memory",
  "53300": "has too many connections",
  "55P03": "a lock could not be taken in time (lock_timeout)",
  "57014": "a statement was cancelled (statement timeout)",
};

function describeSqlState(name: string, code: string): string {
  const known = SQLSTATES[code];
  if (known === undefined) return `${name} error (SQLSTATE ${code})`;
  // Messages about the store read "registry database is out of disk space"; the others stand alone.
  return /^(is|has) /.test(known) ? `${name} ${known} (SQLSTATE ${code})` : `${known} (SQLSTATE ${code})`;
}

const REDIS_CODES: Record<string, string> = {
  OOM: "is out of memory (OOM)",
  READONLY: "is read-only (a replica)",
  NOAUTH: "refused the credentials (NOAUTH)",
  WRONGPASS: "refused the credentials (WRONGPASS)",
  NOPERM: "refused the command (NOPERM)",
  LOADING: "is loading its data (LOADING)",
  BUSY: "is busy running a script (BUSY)",
  MISCONF: "cannot persist its data (MISCONF)",
};

/** A Redis reply error is named by its code (the message's first word); its text may quote a value. */
function redisProblem(e: unknown): string | undefined {
  for (const x of chain(e)) {
    if (!(x instanceof Error)) continue;
    if (/^Command timed out/.test(x.message)) return "did not answer in time (command timed out)";
    if (x.name === "ReplyError") {
      const code = /^([A-Z]{2,20})\b/.exec(x.message)?.[1] ?? "ERR";
      return REDIS_CODES[code] ?? `refused a command (${code})`;
    }
  }
  return undefined;
}
