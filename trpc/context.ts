import "server-only";
import { headers } from "next/headers";
import { cache } from "react";
import { getRuntime } from "@/server/boot/runtime";
import { requestIdFrom, requestLogger, rootLogger } from "@/server/core/log";
import type { TrpcContext } from "@/server/trpc/init";
import { actorFromRequest } from "@/server/web/session";

/**
 * tRPC context for the route handler (the fetch adapter passes the request) and for
 * server-component prefetches (no request: the page's own headers). The actor is the session's
 * user, or anonymous; services decide what either may do. The services log carries the request's id
 * (a sane incoming `x-request-id`, else a new one; one per page render for prefetches).
 */
export async function createContext(opts?: { req: Request }): Promise<TrpcContext> {
  const actor = opts ? await actorFromRequest(opts.req.headers) : await pageActor();
  const log = opts ? requestLogger(opts.req) : await pageLogger();
  return { actor, services: async () => (await getRuntime()).ctxFor(actor, log) };
}

/** Once per server render, however many queries the page prefetches. */
const pageActor = cache(async () => actorFromRequest(await headers()));
const pageLogger = cache(async () => rootLogger().child({ requestId: requestIdFrom(await headers()) }));
