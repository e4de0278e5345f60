import { describe, expect, it } from "vitest";
import { InvalidError, UnavailableError } from "../core/errors";
import { describeOfflineError, OfflineTimeoutError, offlineError } from "./errors";

/** A Postgres error as pg raises it: an Error with a SQLSTATE code, maybe wrapped by a caller. */
function pgError(code: string, message: string, wrap = false): Error {
  const e = Object.assign(new Error(message), {
    code,
    detail: "Key (secret)=(hunter2)",
    where: "SQL function",
  });
  return wrap ? new Error("query failed", { cause: e }) : e;
}

describe("describeOfflineError", () => {
  const cases: [string, Error, { kind: string; message: string }][] = [
    [
      "a data error's value is dropped",
      pgError("22P02", 'invalid input syntax for type integer: "scrypt$hunter2"'),
      { kind: "invalid", message: "a value has the wrong syntax for its type (SQLSTATE 22P02)" },
    ],
    [
      "also when wrapped",
      pgError("22003", 'value "99999999999" is out of range for type integer', true),
      { kind: "invalid", message: "a numeric value is out of range (SQLSTATE 22003)" },
    ],
    [
      "a constraint message is replaced too",
      pgError("23505", 'duplicate key value violates unique constraint "k"'),
      { kind: "invalid", message: "a unique constraint is violated (SQLSTATE 23505)" },
    ],
    [
      "a missing table names what the user wrote",
      pgError("42P01", 'relation "demo.gone" does not exist'),
      { kind: "invalid", message: 'relation "demo.gone" does not exist' },
    ],
    [
      "a permission error says so and nothing more",
      pgError("42501", "permission denied for table users"),
      { kind: "invalid", message: "permission denied (SQLSTATE 42501)" },
    ],
    [
      "a statement timeout",
      pgError("57014", "canceling statement due to statement timeout"),
      { kind: "timeout", message: "timed out after 2.5 s" },
    ],
    [
      "a cancel that is not a timeout",
      pgError("57014", "canceling statement due to user request"),
      { kind: "unavailable", message: "the statement was cancelled (SQLSTATE 57014)" },
    ],
    [
      "an unknown code",
      pgError("XX000", "internal error with row (1, hunter2)"),
      { kind: "failed", message: "the statement failed (SQLSTATE XX000)" },
    ],
    [
      "a refused connection",
      Object.assign(new Error("connect ECONNREFUSED 10.0.0.5:5432"), { code: "ECONNREFUSED" }),
      { kind: "unavailable", message: "offline store unavailable: connection refused" },
    ],
    [
      "anything else",
      new Error("something with hunter2 inside"),
      { kind: "failed", message: "the statement failed (details in the server log)" },
    ],
  ];
  it.each(cases)("%s", (_name, error, expected) => {
    expect(describeOfflineError(error, 2500)).toEqual(expected);
  });
});

describe("offlineError", () => {
  it("maps kinds to domain errors with the step in front", () => {
    const timeout = offlineError(
      pgError("57014", "canceling statement due to statement timeout"),
      'source "s"',
      60_000,
    );
    expect(timeout).toBeInstanceOf(OfflineTimeoutError);
    expect(timeout.message).toBe('source "s": timed out after 60 s');
    expect(describeOfflineError(timeout, 1)).toEqual({
      kind: "timeout",
      message: 'source "s": timed out after 60 s',
    });
    const bad = offlineError(pgError("22P02", "invalid input: hunter2"), "push", 1000, "df");
    expect(bad).toBeInstanceOf(InvalidError);
    expect((bad as InvalidError).field).toBe("df");
    expect(offlineError(pgError("08006", "connection failure"), "scan", 1000)).toBeInstanceOf(
      UnavailableError,
    );
    const domain = new InvalidError("already safe", "query");
    expect(offlineError(domain, "x", 1)).toBe(domain);
  });
});
