import "server-only";
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import { RateLimitedError } from "../auth/request-actor";
import type { Actor, Ctx } from "../core/context";
import { type DomainErrorCode, isDomainError } from "../core/errors";
import { type Logger, rootLogger } from "../core/log";
import { rejectNul } from "../core/text";
import type { Access } from "../operations/define";

export interface TrpcContext {
  actor: Actor;
  /** The request's logger, carrying its id (server/core/log.ts); the root logger when absent. */
  log?: Logger;
  /** Why the request's credentials were refused (a bad API key, say); thrown by every procedure. */
  refusal?: unknown;
  /** Builds the services context lazily, so a procedure that fails validation opens nothing. */
  services: () => Promise<Ctx>;
}

/** Every procedure declares what it needs; a test fails for any that declares nothing. */
export interface ProcedureMeta {
  /**
   * A project action (checked again by the service), a door open to all / to anyone signed in, or
   * "instance.admin": instance administrators only (the service checks users.is_admin; API keys
   * never are one). See docs/adr/0014-instance-administrators.md.
   */
  action: Access;
  /** The operation descriptor the procedure is derived from (server/operations/define.ts). */
  operation?: string;
}

const t = initTRPC
  .context<TrpcContext>()
  .meta<ProcedureMeta>()
  .create({
    transformer: superjson,
    errorFormatter({ shape, error }) {
      const cause = error.cause;
      // Input validation fails before a service runs: say it like a service would ("path: message").
      if (cause instanceof ZodError) {
        const issue = cause.issues[0];
        const field = issue?.path.map(String).join(".") || null;
        const message = issue ? `${field ?? "input"}: ${issue.message}` : "invalid input";
        return { ...shape, message, data: { ...shape.data, stack: undefined, field } };
      }
      return {
        ...shape,
        // Internal errors never show their text; domain errors carry the field they name.
        message: error.code === "INTERNAL_SERVER_ERROR" ? "Internal error" : shape.message,
        data: { ...shape.data, stack: undefined, field: isDomainError(cause) ? (cause.field ?? null) : null },
      };
    },
  });

const trpcCodeOf: Record<DomainErrorCode, TRPCError["code"]> = {
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  INVALID: "BAD_REQUEST",
  FORBIDDEN: "FORBIDDEN",
  UNAUTHORIZED: "UNAUTHORIZED",
  UNAVAILABLE: "SERVICE_UNAVAILABLE",
};

/** The one place domain errors become tRPC errors. */
const mapDomainErrors = t.middleware(async ({ ctx, next, path }) => {
  const result = await next();
  if (!result.ok && isDomainError(result.error.cause)) {
    const cause = result.error.cause;
    throw new TRPCError({ code: trpcCodeOf[cause.code], message: cause.message, cause });
  }
  if (!result.ok && result.error.code === "INTERNAL_SERVER_ERROR")
    (ctx.log ?? rootLogger()).error({ err: result.error.cause ?? result.error, path }, "tRPC call failed");
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * A request whose API key was refused gets that refusal (401, 400 for a key in the URL, 429 over
 * its rate), never a fall back to anonymous.
 */
const refuseBadCredentials = t.middleware(({ ctx, next }) => {
  const { refusal } = ctx;
  if (refusal === undefined) return next();
  if (refusal instanceof RateLimitedError)
    throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: refusal.message });
  throw refusal;
});

/**
 * Deny by default: a procedure without a declared action is refused, and only "public" ones let an
 * anonymous caller through (401 before its input is read). Everything else is the operation's
 * gate (server/operations/define.ts).
 */
const requireDeclaredAction = t.middleware(({ meta, ctx, next }) => {
  if (!meta?.action)
    throw new TRPCError({ code: "FORBIDDEN", message: "this procedure declares no permission" });
  if (meta.action !== "public" && ctx.actor.kind === "anonymous")
    throw new TRPCError({ code: "UNAUTHORIZED", message: "sign in first" });
  return next();
});

/**
 * A NUL character anywhere in the raw input is a 400 naming its field, before the procedure's own
 * schema runs: Postgres cannot store one, and no schema has to remember (server/core/text.ts).
 */
const refuseNulInput = t.middleware(async ({ getRawInput, next }) => {
  rejectNul(await getRawInput());
  return next();
});

/** Every procedure gets the services context as `ctx.svc`, built for the caller's actor. */
export const procedure = t.procedure
  .use(mapDomainErrors)
  .use(refuseBadCredentials)
  .use(requireDeclaredAction)
  .use(refuseNulInput)
  .use(async ({ ctx, next }) => {
    const svc = await ctx.services();
    return next({ ctx: { ...ctx, svc } });
  });
