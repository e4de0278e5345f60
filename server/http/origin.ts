/**
 * Request checks that run in proxy.ts before any handler (docs/adr/0010-web-hardening.md). Pure
 * functions over a method, a path and headers, unit-tested without a server.
 */
import { isTrustedOrigin } from "./trusted-origins";

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Content types a browser form or a no-preflight fetch can send cross-site (CORS "simple" types). */
const SIMPLE_CONTENT_TYPES = new Set([
  "application/x-www-form-urlencoded",
  "multipart/form-data",
  "text/plain",
]);

/**
 * Headers a client may send but only a trusted hop should set. No handler sees them: origins are
 * checked against a configured list (server/http/trusted-origins.ts), and the client's address
 * (x-quiver-client-ip) is decided by Quiver's own HTTP server, which reads x-forwarded-for only from
 * QUIVER_TRUSTED_PROXIES (server/auth/client-ip.ts); x-middleware-subrequest once let clients skip
 * Next's middleware (CVE-2025-29927).
 */
export function isUntrustedInternalHeader(name: string): boolean {
  const n = name.toLowerCase();
  return (
    n === "x-middleware-subrequest" || n.startsWith("x-forwarded-") || n === "x-real-ip" || n === "forwarded"
  );
}

/** A copy of the request headers without the ones above, for handlers to see. */
export function withoutUntrustedHeaders(headers: Headers): Headers {
  const out = new Headers();
  headers.forEach((value, name) => {
    if (!isUntrustedInternalHeader(name)) out.set(name, value);
  });
  return out;
}

export interface Refusal {
  status: 403 | 415;
  error: string;
}

export interface RequestFacts {
  method: string;
  pathname: string;
  headers: Headers;
  /** The origins a browser may write from (trustedOrigins() of server/http/trusted-origins.ts). */
  trustedOrigins: readonly string[];
}

/**
 * Cross-site request forgery guard for state-changing /api requests: a browser always sends Origin
 * on them, so an Origin outside `trustedOrigins`, or "null", is refused; requests without one
 * (curl, SDKs with API keys) carry no ambient cookie risk and pass. The Host header is not
 * consulted: a reverse proxy may rewrite it, and a DNS-rebinding page controls it. Bodies must be
 * JSON: the "simple" types are what a form on another site can send without a CORS preflight.
 * Returns null when the request may go on.
 */
export function refuseCrossSiteWrite({
  method,
  pathname,
  headers,
  trustedOrigins,
}: RequestFacts): Refusal | null {
  if (!STATE_CHANGING.has(method.toUpperCase())) return null;
  if (pathname !== "/api" && !pathname.startsWith("/api/")) return null;
  const origin = headers.get("origin");
  if (origin !== null) {
    if (origin.trim() === "null")
      return { status: 403, error: 'requests from an opaque ("null") origin are refused' };
    if (!isTrustedOrigin(origin, trustedOrigins))
      return {
        status: 403,
        error: `origin ${origin} is not allowed: set QUIVER_PUBLIC_URL or QUIVER_TRUSTED_ORIGINS to serve it`,
      };
  }
  const type = mediaType(headers.get("content-type"));
  if (type === null) {
    if (hasBody(headers)) return { status: 415, error: "a request body must be sent as application/json" };
    return null;
  }
  if (SIMPLE_CONTENT_TYPES.has(type))
    return { status: 415, error: `content type ${type} is refused: send application/json` };
  return null;
}

function mediaType(contentType: string | null): string | null {
  if (contentType === null) return null;
  const type = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  return type === "" ? null : type;
}

function hasBody(headers: Headers): boolean {
  const length = headers.get("content-length");
  if (length !== null) return Number(length) > 0;
  return headers.has("transfer-encoding");
}
