import "server-only";
import { drizzleAdapter } from "@better-auth/drizzle-adapter";
import { betterAuth } from "better-auth";
import { APIError, createAuthEndpoint, createAuthMiddleware, formCsrfMiddleware } from "better-auth/api";
import { setSessionCookie } from "better-auth/cookies";
import { z } from "zod";
import type { AuditEntry } from "../audit/record";
import type { Actor, Ctx } from "../core/context";
import { isDomainError } from "../core/errors";
import { rootLogger } from "../core/log";
import { nulProblem } from "../core/text";
import type { Db } from "../db/client";
import { accounts, rateLimits, sessions, users, verifications } from "../db/schema";
import { type OriginSettings, originSettings, publicOrigin, trustedOrigins } from "../http/trusted-origins";
import { CLIENT_IP_HEADER } from "./client-ip";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "./new-user";
import { createFirstOwner } from "./setup";

export const LOGIN_PATH = "/sign-in/email";
export const SETUP_PATH = "/quiver/setup";

export interface AuthOptions {
  /** Signs session cookies; at least 32 characters (server/auth/secret.ts). */
  secret: string;
  /** Sign-in attempts per minute and client IP. */
  loginsPerMinute?: number;
  /** A services context for an actor (the runtime's ctxFor): logins are audited, setup runs a service. */
  ctxFor: (actor: Actor) => Ctx;
  audit: (actor: Actor, entry: AuditEntry) => Promise<void>;
  /** Where browsers may sign in from; unset, from PORT, QUIVER_PUBLIC_URL and QUIVER_TRUSTED_ORIGINS. */
  origins?: OriginSettings;
}

export function createAuth(db: Db, opts: AuthOptions) {
  const origins = opts.origins ?? originSettings();
  return betterAuth({
    secret: opts.secret,
    basePath: "/api/auth",
    // The public URL when set; else none, and better-auth takes the request's own URL, which Next
    // builds as http://localhost:PORT whatever the Host header says (never x-forwarded-host).
    baseURL: publicOrigin(origins),
    // The same list as the proxy's write check (docs/adr/0015): loopback names on the app's port,
    // the public URL, QUIVER_TRUSTED_ORIGINS. Sign-in and sign-out from any other Origin are 403.
    trustedOrigins: trustedOrigins(origins),
    database: drizzleAdapter(db, {
      provider: "pg",
      // Keyed by better-auth's model names; the adapter looks tables up by these keys.
      schema: {
        user: users,
        session: sessions,
        account: accounts,
        verification: verifications,
        rateLimit: rateLimits,
      },
    }),
    emailAndPassword: {
      enabled: true,
      // Accounts come only from the setup page (SETUP_PATH) and `quiver user create`.
      disableSignUp: true,
      minPasswordLength: MIN_PASSWORD_LENGTH,
      maxPasswordLength: MAX_PASSWORD_LENGTH,
    },
    session: { expiresIn: 60 * 60 * 24 * 7, updateAge: 60 * 60 * 24 },
    rateLimit: {
      enabled: true,
      storage: "database",
      window: 60,
      max: 100,
      customRules: {
        [LOGIN_PATH]: { window: 60, max: opts.loginsPerMinute ?? 5 },
        [SETUP_PATH]: { window: 60, max: 5 },
      },
    },
    advanced: {
      // Chrome and Firefox accept Secure cookies on http://localhost too.
      useSecureCookies: true,
      cookiePrefix: "quiver",
      defaultCookieAttributes: { httpOnly: true, secure: true, sameSite: "lax" },
      ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER] },
      // better-auth skips origin checks when NODE_ENV is "test"; tests must see production behaviour.
      disableOriginCheck: false,
    },
    telemetry: { enabled: false },
    logger: { log: logAuthEvent },
    plugins: [setupPlugin(opts)],
    hooks: {
      // A NUL character (which Postgres cannot store) is a 400 naming the field, before any query.
      before: createAuthMiddleware(async (ctx) => {
        const nul = nulProblem(ctx.body);
        if (nul) throw new APIError("BAD_REQUEST", { message: nul.message, field: nul.field ?? null });
      }),
      after: createAuthMiddleware(async (ctx) => {
        if (ctx.path !== LOGIN_PATH) return;
        const email = typeof ctx.body?.email === "string" ? ctx.body.email.toLowerCase() : "";
        const created = ctx.context.newSession;
        if (created) {
          const actor: Actor = { kind: "user", id: created.user.id, name: created.user.email };
          await opts.audit(actor, {
            action: "auth.login",
            objectType: "user",
            objectName: created.user.email,
            after: { ip: ctx.headers?.get(CLIENT_IP_HEADER) ?? null },
          });
        } else if (ctx.context.returned instanceof APIError) {
          await opts.audit(
            { kind: "anonymous" },
            {
              action: "auth.login_failed",
              objectType: "user",
              objectName: email,
              after: { ip: ctx.headers?.get(CLIENT_IP_HEADER) ?? null },
            },
          );
        }
      }),
    },
  });
}

export type Auth = ReturnType<typeof createAuth>;

/**
 * better-auth's log lines in Quiver's log; the base URL warning is by design (see above). Of its
 * extra arguments only an error is kept: the others may be request bodies or user rows.
 */
function logAuthEvent(level: "debug" | "info" | "warn" | "error", message: string, ...args: unknown[]): void {
  if (message.includes("Base URL is not set")) return;
  const err = args.find((a) => a instanceof Error);
  rootLogger()[level]({ component: "auth", ...(err ? { err } : {}) }, message);
}

/** Only the shape here: createFirstOwner validates, with messages that name the field. */
const SETUP_BODY = z.object({ name: z.string(), email: z.string(), password: z.string() });

/**
 * POST /api/auth/quiver/setup: creates the first owner (only while no user exists) and signs them
 * in. Inside better-auth so it gets the same origin check, rate limit and cookie handling as sign-in.
 */
function setupPlugin(opts: AuthOptions) {
  return {
    id: "quiver-setup",
    endpoints: {
      quiverSetup: createAuthEndpoint(
        SETUP_PATH,
        { method: "POST", body: SETUP_BODY, use: [formCsrfMiddleware] },
        async (ctx) => {
          let user: { id: string; name: string; email: string };
          try {
            user = await createFirstOwner(opts.ctxFor({ kind: "anonymous" }), ctx.body);
          } catch (e) {
            if (isDomainError(e))
              throw new APIError(e.code === "CONFLICT" ? "CONFLICT" : "BAD_REQUEST", {
                message: e.message,
                field: e.field ?? null,
              });
            throw e;
          }
          const session = await ctx.context.internalAdapter.createSession(user.id);
          const row = await ctx.context.internalAdapter.findUserById(user.id);
          if (!row) throw new APIError("INTERNAL_SERVER_ERROR", { message: "the new user was not found" });
          await setSessionCookie(ctx, { session, user: row });
          return ctx.json({ user: { id: user.id, name: user.name, email: user.email } });
        },
      ),
    },
  } as const;
}
