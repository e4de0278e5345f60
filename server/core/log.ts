import "server-only";
import { randomUUID } from "node:crypto";
import pino, { type DestinationStream, type Logger } from "pino";
import { env, type LogLevel } from "../env";

/**
 * Quiver's structured log (docs/adr/0020-structured-logging.md): JSON lines, one per event, with
 * fields instead of sentences. Services log through `ctx.log`, a child of the root logger that
 * carries the request id (`requestId`) or the job (`job`, `runId`); code without a context uses
 * rootLogger(). Credentials are redacted by key wherever they sit (three levels deep), and errors
 * are serialized without the values Postgres and drizzle attach to them.
 */
export type { Logger };

export const REQUEST_ID_HEADER = "x-request-id";

/** Keys whose values never reach a log line. */
const SECRET_KEYS = [
  "authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
  "password",
  "apiKey",
  "api_key",
  "key",
  "token",
  "secret",
];
const REDACT_PATHS = SECRET_KEYS.flatMap((k) => {
  const at = /^\w+$/.test(k) ? `.${k}` : `["${k}"]`;
  return [at.startsWith(".") ? k : at, `*${at}`, `*.*${at}`];
});

export interface LoggerOptions {
  /** QUIVER_LOG_LEVEL unless set. */
  level?: LogLevel;
  /** Standard output unless set (the CLI writes its log to standard error). */
  destination?: DestinationStream | 1 | 2;
}

/** A logger with Quiver's settings: level, redaction, ISO times, safe error serialization. */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const dest = opts.destination ?? 1;
  return pino(
    {
      level: opts.level ?? defaultLevel(),
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      serializers: { err: serializeError },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    typeof dest === "number" ? pino.destination({ dest, sync: true }) : dest,
  );
}

function defaultLevel(): LogLevel {
  return env().QUIVER_LOG_LEVEL ?? (process.env.VITEST ? "silent" : "info");
}

let root: Logger | undefined;

/** The process's logger, built on first use. */
export function rootLogger(): Logger {
  root ??= createLogger();
  return root;
}

/** Replaces the root logger (the CLI sends its log to standard error; tests capture lines). */
export function configureLogging(opts: LoggerOptions = {}): void {
  root = createLogger(opts);
}

export function newRequestId(): string {
  return randomUUID();
}

/** A request id a client or proxy sent, when it is a short plain token; else undefined. */
export function saneRequestId(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const id = value.trim();
  return /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/.test(id) ? id : undefined;
}

/** The incoming `x-request-id` when it is sane, else a new id. */
export function requestIdFrom(headers: Pick<Headers, "get">): string {
  return saneRequestId(headers.get(REQUEST_ID_HEADER)) ?? newRequestId();
}

const requestIds = new WeakMap<Request, string>();

/** The request's id, the same however often it is asked (the context and the response agree). */
export function requestIdOf(req: Request): string {
  let id = requestIds.get(req);
  if (!id) {
    id = requestIdFrom(req.headers);
    requestIds.set(req, id);
  }
  return id;
}

/** A child of the root logger carrying the request's id. */
export function requestLogger(req: Request): Logger {
  return rootLogger().child({ requestId: requestIdOf(req) });
}

/** Error fields worth keeping; anything else (pg's `detail`, drizzle's `params`) may hold values. */
const ERROR_FIELDS = [
  "code",
  "severity",
  "schema",
  "table",
  "column",
  "constraint",
  "routine",
  "errno",
  "syscall",
  "field",
  "status",
];

type SerializedError = Record<string, unknown>;

/**
 * An error, its causes and an AggregateError's members as plain fields, without SQL values: a
 * drizzle query error keeps its SQL but not its parameters, a Postgres data exception (class 22)
 * loses the quoted value its message ends with, and only the fields above are copied.
 */
export function serializeError(e: unknown, depth = 0): unknown {
  if (!(e instanceof Error)) return e;
  if (depth > 5) return { type: e.name, message: "(cause chain cut here)" };
  const message = safeMessage(e);
  const out: SerializedError = { type: e.name, message };
  if (e.stack) out.stack = message === e.message ? e.stack : e.stack.replace(e.message, message);
  const fields = e as unknown as Record<string, unknown>;
  for (const k of ERROR_FIELDS) {
    const v = fields[k];
    if (typeof v === "string" || typeof v === "number") out[k] = v;
  }
  if (e instanceof AggregateError)
    out.errors = e.errors.slice(0, 10).map((m) => serializeError(m, depth + 1));
  if (e.cause !== undefined) out.cause = serializeError(e.cause, depth + 1);
  return out;
}

function safeMessage(e: Error): string {
  const { query, params, code } = e as { query?: unknown; params?: unknown; code?: unknown };
  if (typeof query === "string" && params !== undefined) return `Failed query: ${query}`;
  if (typeof code === "string" && /^22[0-9A-Z]{3}$/.test(code))
    return e.message.replace(/:\s*".*$/s, ': "[redacted]"');
  return e.message;
}
