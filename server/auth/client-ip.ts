import "server-only";
import { BlockList, isIP } from "node:net";

/**
 * The one request header Quiver reads a client's address from (login throttle, rate limits).
 * Quiver's HTTP server (server/web/app-server.ts) sets it with clientAddress(), replacing any
 * value a client sent; proxy.ts then hides x-forwarded-for from every handler.
 */
export const CLIENT_IP_HEADER = "x-quiver-client-ip";

/** The reverse proxies whose X-Forwarded-For is believed (QUIVER_TRUSTED_PROXIES). */
export interface TrustedProxies {
  has(address: string): boolean;
}

/**
 * Parses QUIVER_TRUSTED_PROXIES entries: addresses (`10.0.0.5`, `::1`) and CIDRs (`10.0.0.0/8`,
 * `fd00::/8`). An IPv4 entry also matches its IPv4-mapped IPv6 spelling (`::ffff:10.0.0.5`), as a
 * dual-stack socket reports it. Throws on an entry that is neither, naming it.
 */
export function trustedProxies(entries: readonly string[]): TrustedProxies {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = "", prefix, ...rest] = entry.trim().split("/");
    const family = isIP(address);
    const bits = prefix === undefined ? undefined : Number(prefix);
    const max = family === 4 ? 32 : 128;
    if (
      family === 0 ||
      rest.length > 0 ||
      (bits !== undefined && (prefix === "" || !Number.isInteger(bits) || bits < 0 || bits > max))
    )
      throw new Error(`QUIVER_TRUSTED_PROXIES: "${entry}" is not an IP address or CIDR (e.g. 10.0.0.0/8)`);
    const type = family === 4 ? "ipv4" : "ipv6";
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, bits, type);
  }
  return {
    has(value) {
      const address = unmapped(value);
      const family = isIP(address);
      return family !== 0 && list.check(address, family === 4 ? "ipv4" : "ipv6");
    },
  };
}

/**
 * The client's address for a request that reached this server's socket from `peer`. When the peer
 * is a trusted proxy, X-Forwarded-For is walked from the right (each proxy appends the address it
 * saw) past further trusted proxies; the first untrusted hop is the client, since anything left of
 * it was written by the client itself. Otherwise the peer is; a hop that is not an address stops
 * the walk at the last trusted one.
 */
export function clientAddress(
  peer: string | undefined,
  forwardedFor: string | readonly string[] | undefined,
  proxies: TrustedProxies,
): string {
  const socket = peer === undefined ? "unknown" : unmapped(peer);
  if (!proxies.has(socket) || forwardedFor === undefined) return socket;
  const hops = (typeof forwardedFor === "string" ? [forwardedFor] : forwardedFor)
    .join(",")
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean);
  let client = socket;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hopAddress(hops[i] ?? "");
    if (hop === null) return client;
    client = hop;
    if (!proxies.has(hop)) return hop;
  }
  // Every hop is a trusted proxy: the left-most is the closest we know to the client.
  return client;
}

/** An X-Forwarded-For entry's address without a port (`1.2.3.4:5678`, `[::1]:80`), or null. */
function hopAddress(hop: string): string | null {
  let address = hop;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(hop);
  if (bracketed?.[1]) address = bracketed[1];
  else if (/^[\d.]+:\d+$/.test(hop)) address = hop.slice(0, hop.lastIndexOf(":"));
  address = unmapped(address);
  return isIP(address) === 0 ? null : address;
}

/** `::ffff:10.0.0.5` (an IPv4 client of a dual-stack socket) as `10.0.0.5`. */
function unmapped(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m?.[1] ?? address;
}
