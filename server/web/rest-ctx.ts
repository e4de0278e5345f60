import "server-only";
import { actorFromRequestHeaders } from "../auth/request-actor";
import { getRuntime } from "../boot/runtime";
import type { Ctx } from "../core/context";
import { requestLogger } from "../core/log";
import { actorFromRequest } from "./session";

/**
 * The services context of a REST call in the web app, acting as the request's caller: an API key,
 * else the signed-in session, else anonymous (refused by the services with 401). Without a request
 * (health) the actor is anonymous: health touches no project. Its log carries the request's id, the
 * one its answer sends back (server/http/rest.ts).
 */
export async function restCtx(req?: Request): Promise<Ctx> {
  const runtime = await getRuntime();
  if (!req) return runtime.ctxFor({ kind: "anonymous" });
  // The registry cache and usage sink: a key is resolved from memory and its use counted, not written.
  const { registry, usage } = runtime;
  return runtime.ctxFor(
    await actorFromRequestHeaders(req, runtime.db, actorFromRequest, runtime.apiKeyLimiter, {
      registry,
      usage,
    }),
    requestLogger(req),
  );
}
