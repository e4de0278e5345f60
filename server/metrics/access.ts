import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";
import { BlockList, isIP } from "node:net";
import type { RestAnswer } from "../http/rest";

/**
 * Who may read /metrics. Metrics name projects, feature views and API key ids, and show traffic,
 * so they are not public:
 * - with QUIVER_METRICS_TOKEN set, only `Authorization: Bearer <that token>` (compared in constant
 *   time), from anywhere;
 * - without it, only a client whose TCP peer is a loopback address AND whose request carries no
 *   forwarding header (X-Forwarded-For, Forwarded, X-Real-IP): a reverse proxy on the same machine
 *   makes every client of the internet arrive from 127.0.0.1, and says so in those headers.
 * An API key or a session never opens /metrics.
 */

/** Set by Quiver's HTTP servers when the raw request carried a forwarding header. */
export const VIA_PROXY_HEADER = "x-quiver-via-proxy";

const FORWARDING_HEADERS = ["x-forwarded-for", "forwarded", "x-real-ip"];

/** Whether a raw request (node:http's lower-case headers) names a hop before the one that sent it. */
export function cameThroughProxy(headers: Record<string, string | string[] | undefined>): boolean {
  return FORWARDING_HEADERS.some((h) => headers[h] !== undefined);
}

const loopback = new BlockList();
loopback.addSubnet("127.0.0.0", 8, "ipv4");
loopback.addAddress("::1", "ipv6");

/** 127.0.0.0/8 and ::1, also as an IPv4-mapped IPv6 address (::ffff:127.0.0.1). */
export function isLoopback(address: string | null | undefined): boolean {
  if (!address) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const a = mapped?.[1] ?? address;
  const family = isIP(a);
  return family !== 0 && loopback.check(a, family === 4 ? "ipv4" : "ipv6");
}

export type MetricsAccess = { ok: true } | { ok: false; answer: RestAnswer };

export function metricsAccess(
  req: {
    authorization: string | null | undefined;
    /** The client's address as the server decided it (socket, or trusted proxy's X-Forwarded-For). */
    clientAddress: string | null | undefined;
    viaProxy: boolean;
  },
  token: string | undefined,
): MetricsAccess {
  if (token) {
    const presented = /^Bearer\s+(\S+)\s*$/i.exec(req.authorization ?? "")?.[1];
    if (presented !== undefined && sameSecret(presented, token)) return { ok: true };
    return {
      ok: false,
      answer: {
        status: 401,
        body: { error: "metrics need `Authorization: Bearer <QUIVER_METRICS_TOKEN>`" },
        headers: { "www-authenticate": 'Bearer realm="metrics"' },
      },
    };
  }
  if (!req.viaProxy && isLoopback(req.clientAddress)) return { ok: true };
  return {
    ok: false,
    answer: {
      status: 403,
      body: {
        error:
          "metrics are served only to loopback clients that came through no proxy; set QUIVER_METRICS_TOKEN to scrape from elsewhere",
      },
    },
  };
}

/** Equal secrets, in time that does not depend on where they differ (hashes have one length). */
function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}
