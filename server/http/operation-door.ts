import "server-only";
import type { z } from "zod";
import type { Ctx } from "../core/context";
import { InvalidError } from "../core/errors";
import type { Logger } from "../core/log";
import { parseInput } from "../core/parse-input";
import type { AnyOperation } from "../operations/define";
import { DEFAULT_BODY_LIMIT, errorAnswer, errorBody, parseJsonObject, type RestAnswer } from "./rest";

/**
 * The REST door of an operation, derived from its descriptor (server/operations/define.ts), for
 * any HTTP server: the app's route handlers (server/web/http-handlers.ts) and the standalone
 * feature server (server/feature-server) adapt their requests to a DoorRequest and write the
 * answer their own way. Read the body (bounded; a GET's input is its query string), parse it with
 * the operation's input schema, only then resolve the caller (a refused body opens nothing), run
 * the operation as that caller and answer what its output schema lists. The operation's gate
 * decides what the caller may do (401/403/404); every failure is mapped by errorAnswer.
 */
export interface DoorRequest {
  readonly method: string;
  /** The path, for log lines. */
  readonly path: string;
  /** The request's log (its lines carry the request id). */
  readonly log: Logger;
  /** The query string without "?" ("" when there is none): a GET's input. */
  readonly query: string;
  /** The body's text, at most `limit` bytes (HttpError 413 beyond, 400 when it is not UTF-8). */
  text(limit: number): Promise<string>;
  /** The context of the request's caller; throws its refusal (401, 400 for a key in the URL, 429). */
  caller(): Promise<Ctx>;
  /** A context without a caller, for public operations; throws when the runtime cannot start. */
  anonymous(): Promise<Ctx>;
}

/** An answer, or a Response an operation built itself (a CSV download: the app's door only). */
export type OperationAnswer = RestAnswer & { response?: Response };

export async function answerOperation(op: AnyOperation, req: DoorRequest): Promise<OperationAnswer> {
  try {
    const body =
      op.rest?.method === "GET"
        ? queryInput(req.query)
        : parseJsonObject(await req.text(op.rest?.bodyLimit ?? DEFAULT_BODY_LIMIT));
    const input: unknown = parseInput(op.input as z.ZodType, body);
    if (op.access !== "public") return answer(op, await op.callParsed(await req.caller(), input), input);
    // A public operation resolves no caller (a bad key on a health probe is not its business).
    let ctx: Ctx;
    try {
      ctx = await req.anonymous();
    } catch (e) {
      req.log.error({ err: e, operation: op.name }, "the runtime cannot start");
      return { status: 503, body: errorBody("unavailable: the runtime cannot start") };
    }
    return answer(op, await op.callParsed(ctx, input));
  } catch (e) {
    return errorAnswer(e, req.log, { method: req.method, path: req.path });
  }
}

function answer(op: AnyOperation, result: unknown, input?: unknown): OperationAnswer {
  const own = op.rest?.respond?.(result, input);
  if (own) return { status: own.status, body: undefined, response: own };
  const out = op.rest?.outputChecked === false ? result : (op.output as z.ZodType).parse(result);
  return { status: op.rest?.statusOf?.(out) ?? op.rest?.status ?? 200, body: out };
}

/**
 * A GET's input: its query parameters as an object of strings (`?project=p&name=n`). A parameter
 * given twice is refused rather than one of them silently chosen.
 */
export function queryInput(query: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!query) return out;
  for (const [name, value] of new URLSearchParams(query)) {
    if (Object.hasOwn(out, name))
      throw new InvalidError(
        `${name.slice(0, 100)}: the query parameter is given more than once`,
        name.slice(0, 100),
      );
    out[name] = value;
  }
  return out;
}

/** The query string of a request target or URL, without "?" and any fragment ("" when none). */
export function queryOf(url: string): string {
  const q = url.indexOf("?");
  if (q === -1) return "";
  const hash = url.indexOf("#", q);
  return hash === -1 ? url.slice(q + 1) : url.slice(q + 1, hash);
}
