/**
 * Request checks that run in proxy.ts before any handler (docs/adr/0010-web-hardening.md). Pure
 * functions over a method, a path and headers, unit-tested without a server.
 */

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Content types a browser form or a no-preflight fetch can send cross-site (CORS "simple" types). */
const SIMPLE_CONTENT_TYPES = new Set([
  "application/x-www-form-urlencoded",
  "multipart/form-data",
  "text/plain",
]);

/**
 * Headers a client may send but only a trusted hop should set. Quiver trusts none of them: its
 * decisions use the Host header and the socket's address (x-quiver-client-ip, set by its own HTTP
 * server); x-middleware-subrequest once let clients skip Next's middleware (CVE-2025-29927).
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
}

/**
 * Cross-site request forgery guard for state-changing /api requests: a browser always sends Origin
 * on them, so a foreign or "null" Origin is refused; requests without one (curl, SDKs with API keys)
 * carry no ambient cookie risk and pass. Bodies must be JSON: the "simple" types are what a form on
 * another site can send without a CORS preflight. Returns null when the request may go on.
 */
export function refuseCrossSiteWrite({ method, pathname, headers }: RequestFacts): Refusal | null {
  if (!STATE_CHANGING.has(method.toUpperCase())) return null;
  if (pathname !== "/api" && !pathname.startsWith("/api/")) return null;
  const origin = headers.get("origin");
  if (origin !== null) {
    if (origin.trim() === "null")
      return { status: 403, error: 'requests from an opaque ("null") origin are refused' };
    if (!isSameOrigin(origin, headers.get("host")))
      return { status: 403, error: `origin ${origin} is not allowed` };
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

/**
 * The Origin names this server when its host (and port) is the request's Host header. The scheme is
 * not compared: behind a TLS-terminating proxy the server cannot know it without trusting
 * x-forwarded-proto, which any client can send.
 */
export function isSameOrigin(origin: string, host: string | null): boolean {
  if (!host) return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return false;
  return url.host === normalizeHost(host, url.protocol);
}

/** Host header as URL.host would spell it: lower case, default port dropped. */
function normalizeHost(host: string, protocol: string): string {
  const h = host.trim().toLowerCase();
  const defaultPort = protocol === "https:" ? ":443" : ":80";
  return h.endsWith(defaultPort) ? h.slice(0, -defaultPort.length) : h;
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
