import "server-only";
import { CLIENT_IP_HEADER } from "../auth/client-ip";
import type { Ctx } from "../core/context";
import { type Logger, REQUEST_ID_HEADER, requestIdOf, requestLogger } from "../core/log";
import { downloadDatasetOp } from "../datasets";
import { env } from "../env";
import { answerOperation, type DoorRequest, queryOf } from "../http/operation-door";
import { errorResponse, readBodyText, toResponse } from "../http/rest";
import { metricsAccess, observeRequest, scrapeMetrics, VIA_PROXY_HEADER } from "../metrics";
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
 * The app's REST doors (app/api/v1/*): each route hands its WHATWG Request to the operation's door
 * (server/http/operation-door.ts, shared with the standalone feature server) and gets a Response
 * carrying the request's id. The context comes from a provider (server/web/rest-ctx.ts) so tests
 * can hand in their own; it is called only once the body is accepted. Every answer is timed into
 * quiver_http_request_duration_seconds (server/metrics).
 */
export type CtxProvider = (req?: Request) => Promise<Ctx>;

export async function handleOperation(
  op: AnyOperation,
  req: Request,
  provide: CtxProvider,
  route = op.rest?.path ?? `/api/v1/ops/${op.name}`,
): Promise<Response> {
  const started = performance.now();
  const answer = await answerOperation(op, doorRequest(req, provide));
  const res = answer.response ?? toResponse(answer);
  res.headers.set(REQUEST_ID_HEADER, requestIdOf(req));
  observeRequest(route, req.method, res.status, started);
  return res;
}

/** A WHATWG request as the operation door reads it; its log and path are built only when used. */
function doorRequest(req: Request, provide: CtxProvider): DoorRequest {
  let log: Logger | undefined;
  return {
    method: req.method,
    get path() {
      return pathOf(req.url);
    },
    get log() {
      log ??= requestLogger(req);
      return log;
    },
    query: queryOf(req.url),
    text: (limit) => readBodyText(req, limit),
    caller: () => provide(req),
    anonymous: () => provide(),
  };
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return "?";
  }
}

/** POST /api/v1/ops/<name>: any operation with a REST door; anything else is a 404. */
export function handleNamedOperation(name: string, req: Request, ctx: CtxProvider): Promise<Response> {
  const op = operationNamed(name);
  if (!op?.doors.includes("rest") || (op.rest?.method ?? "POST") !== "POST") {
    const res = errorResponse(404, `no operation "${name.slice(0, 100)}" on this route`);
    res.headers.set(REQUEST_ID_HEADER, requestIdOf(req));
    observeRequest("/api/v1/ops/[unknown]", req.method, 404, performance.now());
    return Promise.resolve(res);
  }
  return handleOperation(op, req, ctx, `/api/v1/ops/${op.name}`);
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

/**
 * GET /metrics (app/metrics/route.ts): this process's metrics in Prometheus's text format, to a
 * scraper holding QUIVER_METRICS_TOKEN, or without one configured, to a loopback client that came
 * through no proxy (server/metrics/access.ts). The client's address is the one Quiver's HTTP
 * server decided (server/web/app-server.ts), as for the login throttle.
 */
export async function handleMetrics(req: Request): Promise<Response> {
  const started = performance.now();
  const access = metricsAccess(
    {
      authorization: req.headers.get("authorization"),
      clientAddress: req.headers.get(CLIENT_IP_HEADER),
      viaProxy: req.headers.get(VIA_PROXY_HEADER) !== null,
    },
    env().QUIVER_METRICS_TOKEN,
  );
  let res: Response;
  if (!access.ok) res = toResponse(access.answer);
  else {
    const scraped = await scrapeMetrics();
    res = new Response(scraped.text, { status: 200, headers: { "content-type": scraped.contentType } });
  }
  res.headers.set(REQUEST_ID_HEADER, requestIdOf(req));
  observeRequest("/metrics", req.method, res.status, started);
  return res;
}
