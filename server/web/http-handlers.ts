import "server-only";
import type { z } from "zod";
import { RateLimitedError } from "../auth/request-actor";
import type { Ctx } from "../core/context";
import { InvalidError } from "../core/errors";
import { requestLogger } from "../core/log";
import { parseInput } from "../core/parse-input";
import { downloadDatasetOp } from "../datasets";
import { errorResponse, jsonResponse, withErrorHandling } from "../http/rest";
import { operationNamed } from "../operations/catalog";
import type { AnyOperation } from "../operations/define";
import {
  getHistoricalFeaturesOp,
  getOnlineFeaturesOp,
  healthOp,
  materializeIncrementalOp,
  materializeOp,
  pushOp,
} from "../serving";

/**
 * The REST door of an operation, derived from its descriptor (server/operations/define.ts): read
 * the body (bounded; a GET's input is its query string), parse it with the operation's input
 * schema, only then resolve the caller
 * (a refused body opens nothing), run the operation as that caller and send what its output
 * schema lists. The context comes from a provider (server/web/rest-ctx.ts) so tests can hand in
 * their own; the operation's gate decides what the caller may do (401/403/404).
 */
export type CtxProvider = (req?: Request) => Promise<Ctx>;

export function handleOperation(op: AnyOperation, req: Request, provide: CtxProvider): Promise<Response> {
  return withErrorHandling(
    async ({ json }) => {
      const body = op.rest?.method === "GET" ? queryInput(req) : await json();
      const input: unknown = parseInput(op.input as z.ZodType, body);
      if (op.access === "public") return publicCall(op, req, input, provide);
      return asCaller(req, provide, async (ctx) => answer(op, await op.callParsed(ctx, input), input));
    },
    { bodyLimit: op.rest?.bodyLimit },
  )(req);
}

/**
 * A GET's input: its query parameters as an object of strings (`?project=p&name=n`). A parameter
 * given twice is refused rather than one of them silently chosen.
 */
export function queryInput(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of new URL(req.url).searchParams) {
    if (Object.hasOwn(out, name))
      throw new InvalidError(
        `${name.slice(0, 100)}: the query parameter is given more than once`,
        name.slice(0, 100),
      );
    out[name] = value;
  }
  return out;
}

function answer(op: AnyOperation, result: unknown, input?: unknown): Response {
  const own = op.rest?.respond?.(result, input);
  if (own) return own;
  const out = op.rest?.outputChecked === false ? result : (op.output as z.ZodType).parse(result);
  return jsonResponse(out, op.rest?.statusOf?.(out) ?? op.rest?.status ?? 200);
}

/**
 * A public operation resolves no caller (a bad key on a health probe is not its business); when
 * the runtime itself cannot start, it says so with a 503.
 */
async function publicCall(op: AnyOperation, req: Request, input: unknown, provide: CtxProvider) {
  let ctx: Ctx;
  try {
    ctx = await provide();
  } catch (e) {
    requestLogger(req).error({ err: e, operation: op.name }, "the runtime cannot start");
    return errorResponse(503, "unavailable: the runtime cannot start");
  }
  return answer(op, await op.callParsed(ctx, input));
}

/**
 * Runs work with the caller's context; a caller over its rate limit gets 429 with Retry-After.
 * Other refusals (401 for a bad key, 400 for a key in the URL) are domain errors mapped as usual.
 */
async function asCaller(
  req: Request,
  provide: CtxProvider,
  work: (ctx: Ctx) => Promise<Response>,
): Promise<Response> {
  let ctx: Ctx;
  try {
    ctx = await provide(req);
  } catch (e) {
    if (!(e instanceof RateLimitedError)) throw e;
    const res = errorResponse(429, e.message);
    res.headers.set("retry-after", String(e.retryAfterSeconds));
    return res;
  }
  return work(ctx);
}

/** POST /api/v1/ops/<name>: any operation with a REST door; anything else is a 404. */
export function handleNamedOperation(name: string, req: Request, ctx: CtxProvider): Promise<Response> {
  const op = operationNamed(name);
  if (!op?.doors.includes("rest") || (op.rest?.method ?? "POST") !== "POST")
    return Promise.resolve(errorResponse(404, `no operation "${name.slice(0, 100)}" on this route`));
  return handleOperation(op, req, ctx);
}

/** Feast's routes (app/api/v1/*), each the REST door of its operation. */
export const handleGetOnlineFeatures = (req: Request, ctx: CtxProvider) =>
  handleOperation(getOnlineFeaturesOp, req, ctx);
export const handlePush = (req: Request, ctx: CtxProvider) => handleOperation(pushOp, req, ctx);
export const handleMaterialize = (req: Request, ctx: CtxProvider) => handleOperation(materializeOp, req, ctx);
export const handleMaterializeIncremental = (req: Request, ctx: CtxProvider) =>
  handleOperation(materializeIncrementalOp, req, ctx);
export const handleGetHistoricalFeatures = (req: Request, ctx: CtxProvider) =>
  handleOperation(getHistoricalFeaturesOp, req, ctx);
export const handleHealth = (req: Request, ctx: CtxProvider) => handleOperation(healthOp, req, ctx);
export const handleDownloadDataset = (req: Request, ctx: CtxProvider) =>
  handleOperation(downloadDatasetOp, req, ctx);
