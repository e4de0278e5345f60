import "server-only";
import { httpStatusOf, isDomainError } from "../core/errors";
import { REQUEST_ID_HEADER, requestIdOf, requestLogger } from "../core/log";
import { rejectNul } from "../core/text";

/**
 * The one place REST errors are mapped (docs/adr/0006-retrieval-api.md). Route handlers wrap their
 * work in withErrorHandling; services throw DomainErrors; anything else is a 500 whose text is
 * logged, never sent.
 */

/** Bodies larger than this are refused with 413 unless a handler sets its own limit. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** A transport-level refusal (bad JSON, body too large) with the status to answer. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export type JsonObject = Record<string, unknown>;

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

export function errorResponse(status: number, error: string, field?: string): Response {
  return jsonResponse(field === undefined ? { error } : { error, field }, status);
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
  if (e instanceof HttpError) return errorResponse(e.status, e.message);
  if (isDomainError(e)) return errorResponse(httpStatusOf[e.code], e.message, e.field);
  requestLogger(req).error({ err: e, method: req.method, path: safePath(req.url) }, "request failed");
  return errorResponse(500, "internal error");
}

function safePath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return "?";
  }
}

/**
 * Reads at most `limit` bytes (whatever Content-Length claims) and parses them as a JSON object. A
 * `\u0000` in any string or key is a 400 naming its field (server/core/text.ts).
 */
export async function readJsonObject(req: Request, limit: number): Promise<JsonObject> {
  const text = await readText(req, limit);
  let parsed: unknown;
  try {
    // A "__proto__" key would become an object's prototype once a parser copies it into a record.
    parsed = JSON.parse(text, (key, value: unknown) => {
      if (key === "__proto__") throw new HttpError(400, 'body must not hold a "__proto__" key');
      return value;
    });
  } catch (e) {
    if (e instanceof HttpError) throw e;
    throw new HttpError(400, "body is not valid JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new HttpError(400, "body must be a JSON object");
  rejectNul(parsed);
  return parsed as JsonObject;
}

async function readText(req: Request, limit: number): Promise<string> {
  if (!req.body) throw new HttpError(400, "body is not valid JSON");
  const bytes = await readCappedBody(req, limit);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, "body is not valid JSON");
  }
}

/**
 * The body's bytes, at most `limit` of them whatever Content-Length claims: more is an HttpError
 * 413 and the rest is never read. No body is an empty buffer.
 */
export async function readCappedBody(req: Request, limit: number): Promise<Buffer> {
  const tooLarge = () => new HttpError(413, `body too large: limit ${limit} bytes`);
  const declared = Number(req.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
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
      throw tooLarge();
    }
    parts.push(value);
  }
  return Buffer.concat(parts);
}
