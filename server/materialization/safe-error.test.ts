import pg from "pg";
import { describe, expect, it } from "vitest";
import { InvalidError, UnavailableError } from "../core/errors";
import { OfflineTimeoutError } from "../offline/errors";
import { type RunStep, safeErrorMessage } from "./safe-error";

const online: RunStep = { label: "writing to the online store", store: "online" };
const registry: RunStep = { label: "recording progress", store: "registry" };
const source: RunStep = { label: 'reading source "trips"', store: "offline" };

/** A Node network error as net/dns raise them. */
function netError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code, syscall: "connect" });
}

function dbError(code: string, message: string): pg.DatabaseError {
  const e = new pg.DatabaseError(message, 0, "error");
  e.code = code;
  return e;
}

function replyError(message: string): Error {
  const e = new Error(message);
  e.name = "ReplyError";
  return e;
}

/** What each failure must read as: written by hand, not derived from the code under test. */
const CASES: [what: string, step: RunStep, error: unknown, expected: string][] = [
  [
    "Redis refused, through the store's UnavailableError (no address shown)",
    online,
    Object.assign(
      new UnavailableError("Redis online store unreachable at 10.0.0.5:6379: connect ECONNREFUSED"),
      {
        cause: netError("ECONNREFUSED", "connect ECONNREFUSED 10.0.0.5:6379"),
      },
    ),
    "writing to the online store: online store unavailable: connection refused",
  ],
  [
    "Redis down between reconnects (the store's wait gives a string cause)",
    online,
    Object.assign(
      new UnavailableError("Redis online store unreachable at 10.0.0.5:6379: connection is reconnecting"),
      {
        cause: "connection is reconnecting",
      },
    ),
    "writing to the online store: online store unavailable: not connected",
  ],
  [
    "Redis connection closed during a pipeline",
    online,
    new Error("Redis online store write failed: Connection is closed.", {
      cause: new Error("Connection is closed."),
    }),
    "writing to the online store: online store unavailable: connection closed",
  ],
  [
    "Redis command timeout",
    online,
    new Error("Command timed out"),
    "writing to the online store: online store did not answer in time (command timed out)",
  ],
  [
    "Redis out of memory: named by its code, the rest of its text not shown",
    online,
    new Error("Redis online store write failed: OOM command not allowed when used memory > 'maxmemory'.", {
      cause: replyError("OOM command not allowed when used memory > 'maxmemory'."),
    }),
    "writing to the online store: online store is out of memory (OOM)",
  ],
  [
    "a Redis reply error of another kind",
    online,
    replyError("ERR value is not a valid float: secret-value"),
    "writing to the online store: online store refused a command (ERR)",
  ],
  [
    "the Postgres online store unreachable",
    online,
    new Error("Postgres online store unreachable: connect ECONNREFUSED 127.0.0.1:5432", {
      cause: netError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:5432"),
    }),
    "writing to the online store: online store unavailable: connection refused",
  ],
  [
    "two addresses refused (Node's happy eyeballs raises an AggregateError)",
    online,
    new AggregateError([netError("ECONNREFUSED", "connect ECONNREFUSED ::1:6379")], "connect failed"),
    "writing to the online store: online store unavailable: connection refused",
  ],
  [
    "a host name that does not resolve",
    online,
    netError("ENOTFOUND", "getaddrinfo ENOTFOUND redis.internal"),
    "writing to the online store: online store unavailable: host not found",
  ],
  [
    "the registry's connection lost mid-run",
    registry,
    new Error("Connection terminated unexpectedly"),
    "recording progress: registry database unavailable: connection lost",
  ],
  [
    "the registry's server shut down (57P01 names the registry, not the offline database)",
    registry,
    dbError("57P01", "terminating connection due to administrator command"),
    "recording progress: registry database unavailable: the database server ended the connection",
  ],
  [
    "no registry connection free in time",
    registry,
    new Error("timeout exceeded when trying to connect"),
    "recording progress: registry database unavailable: no connection free in time",
  ],
  [
    "a registry data error: the SQLSTATE, never the value it quotes",
    registry,
    dbError("22P02", 'invalid input syntax for type integer: "hunter2"'),
    "recording progress: registry database error (SQLSTATE 22P02)",
  ],
  [
    "the registry out of disk",
    registry,
    dbError("53100", "could not extend file: No space left on device"),
    "recording progress: registry database is out of disk space (SQLSTATE 53100)",
  ],
  [
    "a source timeout, mapped by the offline store",
    source,
    new OfflineTimeoutError("timed out after 30 s"),
    'reading source "trips": timed out after 30 s',
  ],
  [
    "the offline database refused",
    source,
    new UnavailableError("offline store unavailable: connection refused"),
    'reading source "trips": offline store unavailable: connection refused',
  ],
  [
    "an offline connection lost mid-scan",
    source,
    new Error("Connection terminated unexpectedly"),
    'reading source "trips": offline store unavailable: connection lost',
  ],
  [
    "a domain error passes as written",
    { label: "loading the feature view", store: "registry" },
    new InvalidError('feature view "v" v2 names an entity that no longer exists'),
    'loading the feature view: feature view "v" v2 names an entity that no longer exists',
  ],
  [
    "a bug: its class, not its text",
    online,
    new TypeError("Cannot read properties of undefined (reading 'secret')"),
    "writing to the online store: unexpected TypeError (details in the worker log)",
  ],
  [
    "something thrown that is not an Error",
    online,
    "boom",
    "writing to the online store: unexpected error (details in the worker log)",
  ],
];

describe("safeErrorMessage", () => {
  it.each(CASES)("%s", (_what, step, error, expected) => {
    expect(safeErrorMessage(step, error)).toBe(expected);
  });

  it("never says 'internal error' nor shows a host, port or value", () => {
    for (const [, step, error] of CASES) {
      const message = safeErrorMessage(step, error);
      expect(message).not.toMatch(/internal error|10\.0\.0\.5|127\.0\.0\.1|:6379|hunter2|secret/);
    }
  });
});
