import { type NextRequest, NextResponse } from "next/server";
import { refuseCrossSiteWrite, withoutUntrustedHeaders } from "@/server/http/origin";
import { PATH_HEADER } from "@/server/http/path-header";
import { newNonce, securityHeaders } from "@/server/http/security-headers";
import { originSettings, trustedOrigins } from "@/server/http/trusted-origins";

/**
 * Runs before every route (Next 16's proxy, formerly middleware): refuses writes to /api from
 * origins outside the trusted list (docs/adr/0015), hides forwarding headers from handlers, and sets
 * the security headers with a fresh CSP nonce. Next reads the nonce from the request's CSP header
 * and puts it on its own scripts.
 * Authorization is not decided here: services check every call (docs/adr/0010-web-hardening.md).
 */
export function proxy(request: NextRequest): NextResponse {
  const headers = securityHeaders(newNonce(), { dev: process.env.NODE_ENV === "development" });
  const refusal = refuseCrossSiteWrite({
    method: request.method,
    pathname: request.nextUrl.pathname,
    headers: request.headers,
    trustedOrigins: trustedOrigins(originSettings()),
  });
  const response = refusal
    ? NextResponse.json({ error: refusal.error }, { status: refusal.status })
    : NextResponse.next({
        request: { headers: forwardedHeaders(request.headers, headers, request.nextUrl.pathname) },
      });
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

function forwardedHeaders(incoming: Headers, security: Record<string, string>, pathname: string): Headers {
  const out = withoutUntrustedHeaders(incoming);
  // Server layouts do not know the requested path; the sign-in redirect uses it to come back here.
  out.set(PATH_HEADER, pathname);
  const csp = security["Content-Security-Policy"];
  if (csp) out.set("Content-Security-Policy", csp);
  return out;
}

export const config = {
  // Build output is immutable and served as-is; everything else (pages, RSC payloads, /api) passes here.
  matcher: ["/((?!_next/static|_next/image).*)"],
};
