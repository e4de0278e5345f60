/**
 * Security headers for every response (set in proxy.ts). Pure functions: no Next, no Node APIs
 * beyond Web Crypto, so they run in the proxy and in unit tests alike (docs/adr/0010-web-hardening.md).
 */

/** A fresh, unguessable nonce for one response's scripts: 128 random bits, base64. */
export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}

export interface CspOptions {
  /** `next dev` evaluates code (React's debug stacks); production never does. */
  dev: boolean;
}

/**
 * Scripts run only with this response's nonce (Next puts it on its own scripts, reading it from the
 * request's CSP header) or when loaded by such a script ('strict-dynamic'). Styles allow inline:
 * React Flow and Next inject style attributes and tags that carry no nonce.
 */
export function contentSecurityPolicy(nonce: string, { dev }: CspOptions): string {
  const directives: Record<string, string[]> = {
    "default-src": ["'self'"],
    "script-src": ["'self'", `'nonce-${nonce}'`, "'strict-dynamic'", ...(dev ? ["'unsafe-eval'"] : [])],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'"],
    // The dev server's hot reload talks over a websocket to the same host.
    "connect-src": ["'self'", ...(dev ? ["ws:", "wss:"] : [])],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "object-src": ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(" ")}`)
    .join("; ");
}

/** Headers every response carries besides the CSP. */
export const STATIC_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  // Browsers ignore HSTS over plain http (localhost), so it costs nothing before TLS is set up.
  "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  // For browsers older than CSP's frame-ancestors.
  "X-Frame-Options": "DENY",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
};

export function securityHeaders(nonce: string, opts: CspOptions): Record<string, string> {
  return { ...STATIC_SECURITY_HEADERS, "Content-Security-Policy": contentSecurityPolicy(nonce, opts) };
}
