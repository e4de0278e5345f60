import "server-only";
import type { RateLimiter } from "../auth/rate-limit";
import { actorFromRequestHeaders, type SessionResolver } from "../auth/request-actor";
import type { Actor, Ctx, UsageSink } from "../core/context";
import type { Logger } from "../core/log";
import type { Db } from "../db/client";
import type { RegistryCache } from "../registry-cache/types";
import type { TrpcContext } from "../trpc/init";

/** What a tRPC request's context needs of the process runtime (server/boot/runtime.ts). */
export interface TrpcRuntime {
  db: Db;
  apiKeyLimiter: RateLimiter;
  /** The process's registry cache and usage sink: keys resolved from memory, their use counted. */
  registry?: RegistryCache;
  usage?: UsageSink;
  ctxFor(actor: Actor, log?: Logger): Ctx;
}

/**
 * The tRPC context of an HTTP request: the caller is an API key (`Authorization: Bearer` or
 * `x-api-key`, exactly as on REST, under the same roles), else the session's user, else anonymous.
 * A key that is refused (unknown, revoked, expired, over its rate, sent in the URL) becomes the
 * context's `refusal`, which every procedure throws first: never a silent fall back to anonymous.
 */
export async function requestTrpcContext(
  req: Request,
  runtime: TrpcRuntime,
  session: SessionResolver,
  log: Logger,
): Promise<TrpcContext> {
  try {
    const { registry, usage } = runtime;
    const actor = await actorFromRequestHeaders(req, runtime.db, session, runtime.apiKeyLimiter, {
      registry,
      usage,
    });
    return { actor, log, services: async () => runtime.ctxFor(actor, log) };
  } catch (refusal) {
    const actor: Actor = { kind: "anonymous" };
    return { actor, log, refusal, services: async () => runtime.ctxFor(actor, log) };
  }
}
