/**
 * Where a `?next=` parameter may send the browser after sign-in: a path on this site. Pure, so the
 * login page (server), the login form (client) and page-access share one rule.
 */

const PROBE_ORIGIN = "http://x";

/** Where an unsafe or missing `next` goes instead. */
export const HOME = "/";

/**
 * `value` as a same-origin path (canonically percent-encoded), or null: it must start with one `/`
 * (not `//` or `/\`), contain no control character or backslash, also once percent-decoded, and
 * resolve against any origin to that same origin. The canonical form is returned, so a redirect's
 * Location header never carries a raw non-ASCII or control character.
 */
export function sameOriginPath(value: string): string | null {
  if (!looksLikePath(value)) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    return null;
  }
  if (!looksLikePath(decoded)) return null;
  let url: URL;
  try {
    url = new URL(value, PROBE_ORIGIN);
  } catch {
    return null;
  }
  if (url.origin !== PROBE_ORIGIN) return null;
  // Dot segments can collapse to `//host` (`/.//host`): the canonical form must pass the same test.
  const path = `${url.pathname}${url.search}${url.hash}`;
  return looksLikePath(path) ? path : null;
}

function looksLikePath(s: string): boolean {
  return s.startsWith("/") && !s.startsWith("//") && !s.includes("\\") && !hasControl(s);
}

/** C0, DEL and C1 controls: browsers drop tabs and newlines from URLs; Node refuses them in headers. */
function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x1f || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

/** A `?next=` value (as Next's searchParams give it) made safe: its same-origin path, else HOME. */
export function safeNext(next: string | string[] | null | undefined): string {
  const value = Array.isArray(next) ? next[0] : next;
  if (typeof value !== "string") return HOME;
  return sameOriginPath(value) ?? HOME;
}
