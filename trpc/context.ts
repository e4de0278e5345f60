import "server-only";
import { headers } from "next/headers";
import { cache } from "react";
import { getRuntime } from "@/server/boot/runtime";
import { requestIdFrom, requestLogger, rootLogger } from "@/server/core/log";
import type { TrpcContext } from "@/server/trpc/init";
import { actorFromRequest } from "@/server/web/session";
import { requestTrpcContext } from "@/server/web/trpc-context";

/**
 * tRPC context for the route handler (the fetch adapter passes the request) and for
 * server-component prefetches (no request: the page's own headers). The actor is an API key
 * (server/web/trpc-context.ts), else the session's user, else anonymous; the operations decide
 * what each may do. The services log carries the request's id
 * (a sane incoming `x-request-id`, else a new one; one per page render for prefetches).
 */
export async function createContext(opts?: { req: Request }): Promise<TrpcContext> {
  if (!opts) {
    const [actor, log] = await Promise.all([pageActor(), pageLogger()]);
    return { actor, log, services: async () => (await getRuntime()).ctxFor(actor, log) };
  }
  return requestTrpcContext(opts.req, await getRuntime(), actorFromRequest, requestLogger(opts.req));
}

/** Once per server render, however many queries the page prefetches. */
const pageActor = cache(async () => actorFromRequest(await headers()));
const pageLogger = cache(async () => rootLogger().child({ requestId: requestIdFrom(await headers()) }));
