import "server-only";
import type { Actor } from "../core/context";
import { InvalidError } from "../core/errors";
import type { Db } from "../db/client";
import { API_KEY_PREFIX, resolveApiKey } from "./api-keys";
import { UnauthorizedError } from "./authorize";
import type { RateLimiter } from "./rate-limit";

/** A key over its rate: the REST doors answer 429 with Retry-After. */
export class RateLimitedError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`rate limit of this API key exceeded: retry in ${retryAfterSeconds} s`);
    this.name = "RateLimitedError";
  }
}

/** Who the request's session cookie belongs to; anonymous without one. */
export type SessionResolver = (headers: Headers) => Promise<Actor>;

/** Query parameters that look like credentials: refused whatever they hold. */
const KEY_PARAMS = new Set(["api_key", "apikey", "api-key", "key", "token", "access_token"]);

export const KEY_IN_URL_MESSAGE = "API keys in URLs are refused; send it in the Authorization header";

/**
 * The caller of a REST request: an API key from `Authorization: Bearer <key>` or `x-api-key`,
 * else the signed-in session, else anonymous (which the services refuse with 401).
 * A key in the URL is refused outright: URLs end up in logs, histories and Referer headers.
 * An unknown, revoked or expired key is a 401, never a silent fall back to the session. A key over
 * its limit (the runtime's apiKeyLimiter, shared by every process) is a RateLimitedError.
 */
export async function actorFromRequestHeaders(
  req: Request,
  db: Db,
  session: SessionResolver,
  limiter: RateLimiter,
): Promise<Actor> {
  refuseKeyInUrl(req.url);
  const key = presentedKey(req.headers);
  if (key === undefined) return session(req.headers);
  const actor = await resolveApiKey(db, key);
  if (!actor) throw new UnauthorizedError("API key not accepted: it is unknown, revoked or expired");
  const wait = await limiter.take(`api_key:${actor.id}`);
  if (wait > 0) throw new RateLimitedError(wait);
  return actor;
}

function refuseKeyInUrl(url: string): void {
  let params: URLSearchParams;
  try {
    params = new URL(url).searchParams;
  } catch {
    return;
  }
  for (const [name, value] of params) {
    if (KEY_PARAMS.has(name.toLowerCase()) || value.startsWith(API_KEY_PREFIX))
      throw new InvalidError(KEY_IN_URL_MESSAGE);
  }
}

/** The key the headers carry; undefined when they carry none. A malformed header is a 401. */
function presentedKey(headers: Headers): string | undefined {
  const authorization = headers.get("authorization");
  if (authorization !== null) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!m?.[1]) throw new UnauthorizedError("Authorization header must be `Bearer <API key>`");
    return m[1];
  }
  const header = headers.get("x-api-key");
  if (header === null) return undefined;
  const key = header.trim();
  if (!key) throw new UnauthorizedError("x-api-key header is empty");
  return key;
}
