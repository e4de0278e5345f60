import "server-only";
import type { Actor, UsageSink } from "../core/context";
import { InvalidError } from "../core/errors";
import type { Db } from "../db/client";
import { HttpError } from "../http/rest";
import type { RegistryCache } from "../registry-cache/types";
import { API_KEY_PREFIX, resolveApiKey } from "./api-keys";
import { UnauthorizedError } from "./authorize";
import type { RateLimiter } from "./rate-limit";

/** A key over its rate: the REST doors answer 429 with Retry-After. */
export class RateLimitedError extends HttpError {
  constructor(override readonly retryAfterSeconds: number) {
    super(429, `rate limit of this API key exceeded: retry in ${retryAfterSeconds} s`, retryAfterSeconds);
  }
}

/** Who the request's session cookie belongs to; anonymous without one. */
export type SessionResolver = (headers: Headers) => Promise<Actor>;

/** Query parameters that look like credentials: refused whatever they hold. */
const KEY_PARAMS = new Set(["api_key", "apikey", "api-key", "key", "token", "access_token"]);

export const KEY_IN_URL_MESSAGE = "API keys in URLs are refused; send it in the Authorization header";

/** The feature server's answer to a request without a key: it takes no sign-in sessions. */
export const SESSIONS_REFUSED_MESSAGE =
  "send an API key in the Authorization (Bearer) or x-api-key header: the feature server does not accept sign-in sessions (cookies)";

/** What a request presents about its caller, however its server received it. */
export interface PresentedCaller {
  /** The URL's query string without "?" ("" when there is none). */
  query: string;
  /** A request header by its lower-case name; null or undefined when absent. */
  header(name: "authorization" | "x-api-key"): string | null | undefined;
}

export interface CallerSources {
  db: Db;
  /** The per-key limit (the runtime's apiKeyLimiter, shared by every process). */
  limiter: RateLimiter;
  /**
   * The signed-in user of the request's session, for doors that take sessions (the app). Without
   * it a request without a key is refused: the feature server takes API keys only.
   */
  session?: () => Promise<Actor>;
  /** The process's registry cache and usage sink: keys resolved from memory, their use counted. */
  held?: { registry?: RegistryCache; usage?: UsageSink };
}

/**
 * The caller of a REST request: an API key from `Authorization: Bearer <key>` or `x-api-key`,
 * else the signed-in session where the door takes one, else anonymous (which the services refuse
 * with 401). A key in the URL is refused outright: URLs end up in logs, histories and Referer
 * headers. An unknown, revoked or expired key is a 401, never a silent fall back to the session.
 * A key over its limit is a RateLimitedError (429).
 */
export async function resolveCaller(presented: PresentedCaller, sources: CallerSources): Promise<Actor> {
  if (presented.query) refuseKeyInQuery(presented.query);
  const key = presentedKey(presented.header);
  if (key === undefined) {
    if (!sources.session) throw new UnauthorizedError(SESSIONS_REFUSED_MESSAGE);
    return sources.session();
  }
  const actor = await resolveApiKey(sources.db, key, sources.held);
  if (!actor) throw new UnauthorizedError("API key not accepted: it is unknown, revoked or expired");
  const wait = await sources.limiter.take(`api_key:${actor.id}`);
  if (wait > 0) throw new RateLimitedError(wait);
  return actor;
}

/** resolveCaller for a WHATWG request (the app's REST and tRPC doors), sessions included. */
export function actorFromRequestHeaders(
  req: Request,
  db: Db,
  session: SessionResolver,
  limiter: RateLimiter,
  held?: CallerSources["held"],
): Promise<Actor> {
  const q = req.url.indexOf("?");
  const hash = q === -1 ? -1 : req.url.indexOf("#", q);
  const query = q === -1 ? "" : req.url.slice(q + 1, hash === -1 ? undefined : hash);
  return resolveCaller(
    { query, header: (name) => req.headers.get(name) },
    { db, limiter, session: () => session(req.headers), held },
  );
}

function refuseKeyInQuery(query: string): void {
  for (const [name, value] of new URLSearchParams(query)) {
    if (KEY_PARAMS.has(name.toLowerCase()) || value.startsWith(API_KEY_PREFIX))
      throw new InvalidError(KEY_IN_URL_MESSAGE);
  }
}

/** The key the headers carry; undefined when they carry none. A malformed header is a 401. */
function presentedKey(header: PresentedCaller["header"]): string | undefined {
  const authorization = header("authorization");
  if (authorization != null) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!m?.[1]) throw new UnauthorizedError("Authorization header must be `Bearer <API key>`");
    return m[1];
  }
  const apiKey = header("x-api-key");
  if (apiKey == null) return undefined;
  const key = apiKey.trim();
  if (!key) throw new UnauthorizedError("x-api-key header is empty");
  return key;
}
