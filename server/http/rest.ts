import "server-only";
import { httpStatusOf, isDomainError } from "../core/errors";
import { type Logger, REQUEST_ID_HEADER, requestIdOf, requestLogger } from "../core/log";
import { rejectNul } from "../core/text";

/**
 * The one place REST errors are mapped and REST bodies are read (docs/adr/0006-retrieval-api.md),
 * for both doors: the app's route handlers (WHATWG Request and Response) and the standalone feature
 * server (node:http, server/feature-server). Services throw DomainErrors; anything else is a 500
 * whose text is logged, never sent.
 */

/** Bodies larger than this are refused with 413 unless a handler sets its own limit. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/**
 * A transport-level refusal (bad JSON, body too large, over a rate) with the status to answer;
 * `retryAfterSeconds` becomes a Retry-After header.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export type JsonObject = Record<string, unknown>;

/** An answer before a server writes it: what both doors send, each in its own way. */
export interface RestAnswer {
  status: number;
  /** Sent as JSON. */
  body: unknown;
  /** Headers beyond content-type and x-request-id (Retry-After, Allow). */
  headers?: Record<string, string>;
}

export interface RestRequest {
  req: Request;
  /** The body as a JSON object; throws HttpError (400, 413) for anything else. Read once. */
  json(): Promise<JsonObject>;
}

export interface RestOptions {
  /** Largest accepted body in bytes. */
  bodyLimit?: number;
}

export function jsonResponse(body: unknown, status = 200): Response {
  return Response.json(body, { status });
}

export function errorBody(error: string, field?: string): { error: string; field?: string } {
  return field === undefined ? { error } : { error, field };
}

export function errorResponse(status: number, error: string, field?: string): Response {
  return jsonResponse(errorBody(error, field), status);
}

/** A RestAnswer as a WHATWG Response (the app's door). */
export function toResponse(answer: RestAnswer): Response {
  const res = jsonResponse(answer.body, answer.status);
  for (const [name, value] of Object.entries(answer.headers ?? {})) res.headers.set(name, value);
  return res;
}

/**
 * Wraps a route handler so that every failure becomes a JSON `{"error": ...}` with the right status;
 * every answer carries the request's id (`x-request-id`, as in its log lines and its context's log).
 */
export function withErrorHandling(
  handler: (r: RestRequest) => Promise<Response>,
  opts: RestOptions = {},
): (req: Request) => Promise<Response> {
  const limit = opts.bodyLimit ?? DEFAULT_BODY_LIMIT;
  return async (req) => {
    let body: Promise<JsonObject> | undefined;
    let res: Response;
    try {
      res = await handler({
        req,
        json: () => {
          body ??= readJsonObject(req, limit);
          return body;
        },
      });
    } catch (e) {
      res = toErrorResponse(e, req);
    }
    res.headers.set(REQUEST_ID_HEADER, requestIdOf(req));
    return res;
  };
}

export function toErrorResponse(e: unknown, req: Request): Response {
  return toResponse(errorAnswer(e, requestLogger(req), { method: req.method, path: safePath(req.url) }));
}

/**
 * The answer to a failure: an HttpError its status, a DomainError the status of its code with
 * `{error, field}`, both with Retry-After when they carry a wait (429 over a rate, 503 past a
 * deadline); anything else a 500 `{"error":"internal error"}`, logged with its text, never sent.
 * A 503 is logged as a warning: the store it names is down for every caller.
 */
export function errorAnswer(e: unknown, log: Logger, where: { method: string; path: string }): RestAnswer {
  if (e instanceof HttpError) return withRetryAfter({ status: e.status, body: errorBody(e.message) }, e);
  if (isDomainError(e)) {
    const status = httpStatusOf[e.code];
    if (status === 503) log.warn({ err: e, ...where }, "request unavailable");
    return withRetryAfter({ status, body: errorBody(e.message, e.field) }, e);
  }
  log.error({ err: e, ...where }, "request failed");
  return { status: 500, body: errorBody("internal error") };
}

function withRetryAfter(answer: RestAnswer, e: Error): RestAnswer {
  const wait = (e as { retryAfterSeconds?: unknown }).retryAfterSeconds;
  if (typeof wait !== "number" || !Number.isFinite(wait)) return answer;
  return { ...answer, headers: { "retry-after": String(Math.max(1, Math.ceil(wait))) } };
}

function safePath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return "?";
  }
}

/**
 * Reads at most `limit` bytes (whatever Content-Length claims) and parses them as a JSON object
 * (parseJsonObject).
 */
export async function readJsonObject(req: Request, limit: number): Promise<JsonObject> {
  return parseJsonObject(await readBodyText(req, limit));
}

const NOT_JSON = "body is not valid JSON";

/**
 * A request body's text as a JSON object, or an HttpError 400: invalid JSON, anything but an
 * object, a `"__proto__"` key (it would become an object's prototype once a parser copies it into a
 * record), a `\u0000` in any string or key (named by its field, server/core/text.ts). The checks
 * cost nothing on ordinary bodies: a key can only spell `__proto__` in the text, or through a
 * `\u` escape, and a NUL can only come from a `\u0000` escape (JSON allows no raw control
 * characters in strings), so the reviver and the NUL walk run only when the text has one of them.
 */
export function parseJsonObject(text: string): JsonObject {
  const escaped = text.includes("\\u");
  let parsed: unknown;
  try {
    parsed = escaped || text.includes("__proto__") ? JSON.parse(text, refuseProto) : JSON.parse(text);
  } catch (e) {
    if (e instanceof HttpError) throw e;
    throw new HttpError(400, NOT_JSON);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new HttpError(400, "body must be a JSON object");
  if (escaped) rejectNul(parsed);
  return parsed as JsonObject;
}

function refuseProto(key: string, value: unknown): unknown {
  if (key === "__proto__") throw new HttpError(400, 'body must not hold a "__proto__" key');
  return value;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** A body's bytes as text; bytes that are not UTF-8 are a 400. */
export function decodeBody(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new HttpError(400, NOT_JSON);
  }
}

/** The 413 of a body over `limit` bytes. */
export function bodyTooLarge(limit: number): HttpError {
  return new HttpError(413, `body too large: limit ${limit} bytes`);
}

/** A WHATWG request's body as text, at most `limit` bytes; no body is a 400. */
export async function readBodyText(req: Request, limit: number): Promise<string> {
  if (!req.body) throw new HttpError(400, NOT_JSON);
  return decodeBody(await readCappedBody(req, limit));
}

/**
 * The body's bytes, at most `limit` of them whatever Content-Length claims: more is an HttpError
 * 413 and the rest is never read. No body is an empty buffer.
 */
export async function readCappedBody(req: Request, limit: number): Promise<Buffer> {
  const declared = Number(req.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) throw bodyTooLarge(limit);
  if (!req.body) return Buffer.alloc(0);
  const reader = req.body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw bodyTooLarge(limit);
    }
    parts.push(value);
  }
  return Buffer.concat(parts);
}
