import "server-only";
import { RateLimitedError } from "../auth/request-actor";
import type { Ctx } from "../core/context";
import { DomainError, InvalidError, isDomainError } from "../core/errors";
import { errorResponse, jsonResponse, withErrorHandling } from "../http/rest";
import { startIncrementalMaterialization, startMaterialization } from "../materialization";
import type { Run } from "../materialization/run-row";
import { type GetOnlineFeaturesInput, getOnlineFeatures } from "../serving/get-online-features";
import { checkHealth } from "../serving/health";
import { parseMaterializeIncrementalRequest, parseMaterializeRequest } from "../serving/materialize-requests";
import { type PushInput, push } from "../serving/push";

/**
 * The REST doors of serving (app/api/v1/* and, later, the standalone feature server). Each parses
 * the body, builds the context only then (a refused body opens nothing) and calls one service. The
 * context comes from a provider that resolves the request's caller (server/web/rest-ctx.ts) so
 * tests can hand in their own; the services decide what that caller may do (401/403/404).
 */
export type CtxProvider = (req?: Request) => Promise<Ctx>;

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

/** Push bodies carry rows, so they may be larger than lookups. */
export const PUSH_BODY_LIMIT = 8 * 1024 * 1024;

export function handleGetOnlineFeatures(req: Request, ctx: CtxProvider): Promise<Response> {
  return withErrorHandling(async ({ json }) => {
    const input = (await json()) as GetOnlineFeaturesInput;
    return asCaller(req, ctx, async (c) => jsonResponse(await getOnlineFeatures({ ctx: c, input })));
  })(req);
}

export function handlePush(req: Request, ctx: CtxProvider): Promise<Response> {
  return withErrorHandling(
    async ({ json }) => {
      const input = (await json()) as PushInput;
      return asCaller(req, ctx, async (c) => jsonResponse(await push({ ctx: c, input })));
    },
    { bodyLimit: PUSH_BODY_LIMIT },
  )(req);
}

/** Queues the runs and answers 202 at once; Feast's server blocks until materialization ends. */
export function handleMaterialize(req: Request, ctx: CtxProvider): Promise<Response> {
  return withErrorHandling(async ({ json }) => {
    const input = parseMaterializeRequest(await json());
    return asCaller(req, ctx, async (c) => {
      const runs = await feastFieldNames(startMaterialization({ ctx: c, input }));
      return jsonResponse({ runs: runs.map(runSummary) }, 202);
    });
  })(req);
}

export function handleMaterializeIncremental(req: Request, ctx: CtxProvider): Promise<Response> {
  return withErrorHandling(async ({ json }) => {
    const input = parseMaterializeIncrementalRequest(await json());
    return asCaller(req, ctx, async (c) => {
      const runs = await feastFieldNames(startIncrementalMaterialization({ ctx: c, input }));
      return jsonResponse({ runs: runs.map(runSummary) }, 202);
    });
  })(req);
}

/**
 * 200 when Postgres and the online store answer, else 503 saying which one does not. Public: it
 * builds its context without the request (no caller is resolved) and tells only up or down.
 */
export function handleHealth(req: Request, ctx: CtxProvider): Promise<Response> {
  return withErrorHandling(async () => {
    let services: Ctx;
    try {
      services = await ctx();
    } catch (e) {
      console.error("[quiver] health: the runtime cannot start:", e instanceof Error ? e.message : e);
      return errorResponse(503, "unavailable: the runtime cannot start");
    }
    const h = await checkHealth({ ctx: services });
    if (h.ok) return jsonResponse({ status: "ok", online_store: h.onlineStore });
    return jsonResponse(
      {
        status: "unavailable",
        online_store: h.onlineStore,
        checks: { postgres: h.postgres, online_store: h.online },
      },
      503,
    );
  })(req);
}

function runSummary(run: Run) {
  return { id: run.id, feature_view: run.featureView, status: run.status };
}

const FEAST_NAMES: Record<string, string> = {
  featureViews: "feature_views",
  startTs: "start_ts",
  endTs: "end_ts",
  project: "project",
};

/**
 * The materialization services name their camelCase inputs; REST callers sent Feast's snake_case
 * names, so errors are renamed to match. A project or view the body names but the registry lacks
 * is the body's fault: 400, as in get-online-features.
 */
async function feastFieldNames<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (e) {
    if (!isDomainError(e) || !e.field) throw e;
    const [head = "", ...rest] = e.field.split(".");
    const renamed = FEAST_NAMES[head];
    if (!renamed) throw e;
    const field = [renamed, ...rest].join(".");
    const message = e.message.startsWith(`${e.field}:`)
      ? `${field}${e.message.slice(e.field.length)}`
      : e.message;
    if (e.code === "NOT_FOUND" || e.code === "INVALID") throw new InvalidError(message, field);
    throw new DomainError(e.code, message, field);
  }
}
