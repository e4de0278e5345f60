/**
 * The origins a browser may sign in and send writes from (docs/adr/0015): one list, used by
 * better-auth's origin check (server/auth/better-auth.ts) and the proxy's write check
 * (server/http/origin.ts), so the two never disagree.
 */
import { env } from "../env";

export interface OriginSettings {
  /** The port the app listens on: the loopback names are trusted on it. */
  port: number;
  /** QUIVER_PUBLIC_URL: the address people use, e.g. behind a reverse proxy. */
  publicUrl?: string;
  /** QUIVER_TRUSTED_ORIGINS: more origins, each `scheme://host[:port]`. */
  extra?: readonly string[];
}

/** The loopback names a browser on this machine may use; `[::1]` is how URLs spell IPv6 loopback. */
const LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "[::1]"] as const;

/**
 * Every trusted origin, serialized as browsers send them in `Origin` (lower case, default port
 * dropped), without duplicates: the loopback names on `port`, the public URL's origin, the extras.
 * Throws on an entry that is not an http(s) origin, naming it: a typo must not silently lock
 * everyone out or let a wrong site in.
 */
export function trustedOrigins({ port, publicUrl, extra = [] }: OriginSettings): string[] {
  const out = new Set<string>(LOOPBACK_HOSTS.map((host) => new URL(`http://${host}:${port}`).origin));
  if (publicUrl !== undefined) out.add(originOf(publicUrl, "QUIVER_PUBLIC_URL"));
  for (const entry of extra) out.add(originOf(entry, "QUIVER_TRUSTED_ORIGINS"));
  return [...out];
}

function originOf(value: string, setting: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${setting}: "${value}" is not a URL (expected e.g. https://features.example.com)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new Error(`${setting}: "${value}" is not an http or https URL`);
  return url.origin;
}

/** Whether an `Origin` header names one of `trusted` (as returned by trustedOrigins). */
export function isTrustedOrigin(origin: string, trusted: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(origin.trim());
  } catch {
    return false;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return false;
  return trusted.includes(url.origin);
}

/** This process's settings, from the environment (PORT, QUIVER_PUBLIC_URL, QUIVER_TRUSTED_ORIGINS). */
export function originSettings(): OriginSettings {
  const e = env();
  return { port: e.PORT, publicUrl: e.QUIVER_PUBLIC_URL, extra: e.QUIVER_TRUSTED_ORIGINS };
}

/** The public URL's origin, when one is set: better-auth's base URL. */
export function publicOrigin(settings: OriginSettings): string | undefined {
  return settings.publicUrl === undefined ? undefined : originOf(settings.publicUrl, "QUIVER_PUBLIC_URL");
}
