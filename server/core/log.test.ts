import { describe, expect, it } from "vitest";
import { createLogger, requestIdFrom, requestIdOf, saneRequestId, serializeError } from "./log";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({ level: "info", destination: { write: (l) => lines.push(JSON.parse(l)) } });
  return { log, lines };
}

describe("the logger", () => {
  it("redacts credentials wherever they sit, and keeps the rest", () => {
    const { log, lines } = capture();
    log.child({ requestId: "r1" }).info(
      {
        headers: { authorization: "Bearer qk_secret", cookie: "quiver.session=abc", "x-api-key": "qk_2" },
        req: { headers: { authorization: "Basic dXNlcjpwdw==" } },
        body: { email: "ada@example.com", password: "hunter2" },
        password: "top",
        apiKey: "qk_3",
        token: "t",
      },
      "signed in",
    );
    expect(lines).toEqual([
      expect.objectContaining({
        level: "info",
        msg: "signed in",
        requestId: "r1",
        headers: { authorization: "[redacted]", cookie: "[redacted]", "x-api-key": "[redacted]" },
        req: { headers: { authorization: "[redacted]" } },
        body: { email: "ada@example.com", password: "[redacted]" },
        password: "[redacted]",
        apiKey: "[redacted]",
        token: "[redacted]",
      }),
    ]);
    const text = JSON.stringify(lines);
    for (const secret of ["qk_secret", "abc", "qk_2", "dXNlcjpwdw", "hunter2", "top", "qk_3"])
      expect(text).not.toContain(secret);
  });

  it("writes nothing below its level", () => {
    const lines: string[] = [];
    const log = createLogger({ level: "warn", destination: { write: (l) => lines.push(l) } });
    log.info("quiet");
    log.error("loud");
    expect(lines).toHaveLength(1);
  });
});

describe("error serialization", () => {
  it("keeps a drizzle query's SQL but not its parameters, nor Postgres's detail", () => {
    const pg = Object.assign(new Error('duplicate key value violates unique constraint "users_email_idx"'), {
      code: "23505",
      detail: "Key (email)=(ada@example.com) already exists.",
      constraint: "users_email_idx",
    });
    const drizzle = Object.assign(
      new Error("Failed query: insert into users (email) values ($1)\nparams: ada@example.com"),
      { query: "insert into users (email) values ($1)", params: ["ada@example.com"], cause: pg },
    );
    const out = serializeError(drizzle);
    expect(out).toMatchObject({
      type: "Error",
      message: "Failed query: insert into users (email) values ($1)",
      cause: { code: "23505", constraint: "users_email_idx" },
    });
    expect(JSON.stringify(out)).not.toContain("ada@example.com");
  });

  it("withholds the value a Postgres data exception quotes", () => {
    const e = Object.assign(new Error('invalid input syntax for type integer: "4111 1111"'), {
      code: "22P02",
    });
    const out = serializeError(e) as { message: string; stack: string };
    expect(out.message).toBe('invalid input syntax for type integer: "[redacted]"');
    expect(out.stack).not.toContain("4111");
  });
});

describe("request ids", () => {
  it("takes a short plain token a client or proxy sent, else makes one", () => {
    expect(saneRequestId("req-1.a:b_C")).toBe("req-1.a:b_C");
    for (const bad of [
      "",
      " ",
      "a b",
      "x".repeat(65),
      "id\nforged",
      "<script>",
      "-leading",
      undefined,
      ["a"],
    ])
      expect(saneRequestId(bad)).toBeUndefined();
    const made = requestIdFrom(new Headers({ "x-request-id": "not sane!" }));
    expect(made).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdFrom(new Headers({ "x-request-id": " abc123 " }))).toBe("abc123");
  });

  it("gives one request the same id however often it is asked", () => {
    const req = new Request("http://quiver.test/x");
    const id = requestIdOf(req);
    expect(requestIdOf(req)).toBe(id);
    expect(requestIdOf(new Request("http://quiver.test/x"))).not.toBe(id);
  });
});
