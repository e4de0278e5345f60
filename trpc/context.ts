import "server-only";
import { headers } from "next/headers";
import { cache } from "react";
import { actorFromRequest } from "@/server/web/session";
import { getRuntime } from "@/server/boot/runtime";
import type { TrpcContext } from "@/server/trpc/init";

/**
 * tRPC context for the route handler (the fetch adapter passes the request) and for
 * server-component prefetches (no request: the page's own headers). The actor is the session's
 * user, or anonymous; services decide what either may do.
 */
export async function createContext(opts?: { req: Request }): Promise<TrpcContext> {
  const actor = opts ? await actorFromRequest(opts.req.headers) : await pageActor();
  return { actor, services: async () => (await getRuntime()).ctxFor(actor) };
}

/** Once per server render, however many queries the page prefetches. */
const pageActor = cache(async () => actorFromRequest(await headers()));
