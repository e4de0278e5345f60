import "server-only";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { RateLimiter } from "../auth/rate-limit";
import { resolveCaller } from "../auth/request-actor";
import type { Actor, Ctx, UsageSink } from "../core/context";
import { type Logger, newRequestId, REQUEST_ID_HEADER, saneRequestId } from "../core/log";
import type { Db } from "../db/client";
import { answerOperation, type DoorRequest } from "../http/operation-door";
import { errorBody, type RestAnswer } from "../http/rest";
import { cameThroughProxy, metricsAccess, observeRequest, scrapeMetrics } from "../metrics";
import type { RegistryCache } from "../registry-cache/types";
import { CLIENT_GONE, readNodeBody } from "./node-body";
import { ROUTES, type Route, UNKNOWN_ROUTE } from "./routes";

/** What a feature server needs of the process runtime (server/boot/runtime.ts). */
export interface FeatureServerRuntime {
  db: Db;
  apiKeyLimiter: RateLimiter;
  /** The process's registry cache and usage sink (absent: keys are read from Postgres). */
  registry?: RegistryCache;
  usage?: UsageSink;
  ctxFor(actor: Actor, log?: Logger | (() => Logger)): Ctx;
}

export interface HandlerOptions {
  runtime: FeatureServerRuntime;
  /** The process's logger; each request logs through a child carrying its id. */
  log: Logger;
  /** QUIVER_METRICS_TOKEN: with it, /metrics takes only that bearer token. */
  metricsToken?: string;
  /** True once the server is stopping: answers then close their connection. */
  stopping(): boolean;
}

const ANONYMOUS: Actor = { kind: "anonymous" };

/**
 * The feature server's request listener: the same operation doors as the app
 * (server/http/operation-door.ts) on node:http directly, with nothing built per request that the
 * answer does not need (no WHATWG Request, no URL object unless the target has a query string).
 * Callers are API keys only (no sessions). Every answer is JSON with an `x-request-id` (the
 * client's when it is sane, else a new one) and is timed into quiver_http_request_duration_seconds;
 * a request whose client went away gets no answer (counted as 499).
 */
export function featureServerHandler(
  opts: HandlerOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { runtime } = opts;
  const { registry, usage } = runtime;
  const sources = { db: runtime.db, limiter: runtime.apiKeyLimiter, held: { registry, usage } };

  return (req, res) => {
    const started = performance.now();
    const target = req.url ?? "/";
    const q = target.indexOf("?");
    const path = q === -1 ? target : target.slice(0, q);
    const route = ROUTES.get(path);
    const requestId = saneRequestId(req.headers[REQUEST_ID_HEADER]) ?? newRequestId();
    let log: Logger | undefined;
    const requestLog = () => {
      log ??= opts.log.child({ requestId });
      return log;
    };
    const finish = (status: number) =>
      observeRequest(route?.label ?? UNKNOWN_ROUTE, req.method ?? "", status, started);

    const refusal = routeRefusal(req.method, path, route);
    if (refusal || !route) return finish(sendJson(req, res, refusal ?? notFound(path), requestId, opts));

    if (route.kind === "metrics") {
      metricsAnswer(req, opts).then(
        (answer) =>
          finish(
            "text" in answer
              ? sendText(req, res, answer, requestId, opts)
              : sendJson(req, res, answer, requestId, opts),
          ),
        (e: unknown) => {
          requestLog().error({ err: e }, "metrics scrape failed");
          finish(
            sendJson(req, res, { status: 503, body: errorBody("metrics unavailable") }, requestId, opts),
          );
        },
      );
      return;
    }

    const query = q === -1 ? "" : target.slice(q + 1);
    const door: DoorRequest = {
      method: route.method,
      path,
      get log() {
        return requestLog();
      },
      query,
      text: (limit) => readNodeBody(req, limit),
      caller: async () =>
        runtime.ctxFor(
          await resolveCaller({ query, header: (name) => single(req.headers[name]) }, sources),
          requestLog,
        ),
      anonymous: async () => runtime.ctxFor(ANONYMOUS, requestLog),
    };
    answerOperation(route.op, door).then(
      (answer) => finish(sendJson(req, res, answer, requestId, opts)),
      // answerOperation maps every failure; this is a bug in the mapping itself
      (e: unknown) => {
        requestLog().error({ err: e, path }, "request failed");
        finish(sendJson(req, res, { status: 500, body: errorBody("internal error") }, requestId, opts));
      },
    );
  };
}

/**
 * 405 for a route asked with another method; undefined when the route takes this one. HEAD goes
 * wherever GET does (load balancers probe health with it; node:http sends no body).
 */
function routeRefusal(
  method: string | undefined,
  path: string,
  route: Route | undefined,
): RestAnswer | undefined {
  if (!route || method === route.method || (method === "HEAD" && route.method === "GET")) return undefined;
  return {
    status: 405,
    body: errorBody(`${method} is not allowed on ${path}: use ${route.method}`),
    headers: { allow: route.method },
  };
}

function notFound(path: string): RestAnswer {
  return { status: 404, body: errorBody(`no such route: ${path.slice(0, 200)}`) };
}

type TextAnswer = { kind: "text"; status: 200; text: string; contentType: string };

async function metricsAnswer(req: IncomingMessage, opts: HandlerOptions): Promise<TextAnswer | RestAnswer> {
  const access = metricsAccess(
    {
      authorization: single(req.headers.authorization),
      clientAddress: req.socket.remoteAddress,
      viaProxy: cameThroughProxy(req.headers),
    },
    opts.metricsToken,
  );
  if (!access.ok) return access.answer;
  const scraped = await scrapeMetrics();
  return { kind: "text", status: 200, text: scraped.text, contentType: scraped.contentType };
}

/** A header's value (node:http joins a repeated header with ", ", which no key matches). */
function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(", ") : value;
}

function sendJson(
  req: IncomingMessage,
  res: ServerResponse,
  answer: RestAnswer,
  requestId: string,
  opts: HandlerOptions,
): number {
  const body = JSON.stringify(answer.body);
  return send(req, res, answer.status, "application/json", body, requestId, opts, answer.headers);
}

function sendText(
  req: IncomingMessage,
  res: ServerResponse,
  a: TextAnswer,
  requestId: string,
  opts: HandlerOptions,
) {
  return send(req, res, a.status, a.contentType, a.text, requestId, opts);
}

/**
 * Writes the answer and returns its status; CLIENT_GONE without writing when the client has
 * closed its connection. While the server stops, answers close their connections.
 */
function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  requestId: string,
  opts: HandlerOptions,
  extra?: Record<string, string>,
): number {
  if (req.socket.destroyed || status === CLIENT_GONE) return CLIENT_GONE;
  // Encoded once: a string body would be measured, then encoded again on the socket.
  const bytes = Buffer.from(body, "utf8");
  const headers: Record<string, string | number> = {
    "content-type": contentType,
    "content-length": bytes.length,
    "x-content-type-options": "nosniff",
    [REQUEST_ID_HEADER]: requestId,
    ...extra,
  };
  if (opts.stopping()) headers.connection = "close";
  res.writeHead(status, headers);
  res.end(bytes);
  return status;
}
