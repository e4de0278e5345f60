import { describe, expect, it } from "vitest";
import { clientAddress, trustedProxies } from "./client-ip";

const none = trustedProxies([]);
const proxies = trustedProxies(["10.0.0.0/8", "192.168.1.5", "fd00::/8", "::1"]);

// [case, socket peer, X-Forwarded-For, trusted proxies, expected client]
const CASES: [string, string | undefined, string | string[] | undefined, typeof none, string][] = [
  [
    "no proxies configured: the socket, whatever XFF says",
    "203.0.113.9",
    "198.51.100.1",
    none,
    "203.0.113.9",
  ],
  ["no proxies configured, loopback peer", "127.0.0.1", "198.51.100.1", none, "127.0.0.1"],
  ["untrusted peer: XFF ignored", "203.0.113.9", "198.51.100.1", proxies, "203.0.113.9"],
  ["trusted peer without XFF: the peer", "10.1.2.3", undefined, proxies, "10.1.2.3"],
  ["trusted peer, empty XFF: the peer", "10.1.2.3", "", proxies, "10.1.2.3"],
  ["trusted peer: the hop it saw", "10.1.2.3", "198.51.100.1", proxies, "198.51.100.1"],
  [
    "client-forged hops left of the real one are ignored",
    "10.1.2.3",
    "1.1.1.1, 2.2.2.2, 198.51.100.1",
    proxies,
    "198.51.100.1",
  ],
  [
    "trusted hops are skipped from the right",
    "10.1.2.3",
    "1.1.1.1, 198.51.100.1, 192.168.1.5, 10.9.9.9",
    proxies,
    "198.51.100.1",
  ],
  [
    "repeated headers count as one list",
    "10.1.2.3",
    ["1.1.1.1", "198.51.100.1, 10.9.9.9"],
    proxies,
    "198.51.100.1",
  ],
  ["every hop trusted: the left-most", "10.1.2.3", "10.7.7.7, 192.168.1.5", proxies, "10.7.7.7"],
  ["IPv4-mapped peer matches an IPv4 entry", "::ffff:10.1.2.3", "198.51.100.1", proxies, "198.51.100.1"],
  ["IPv4-mapped untrusted peer is reported as IPv4", "::ffff:203.0.113.9", undefined, none, "203.0.113.9"],
  ["IPv6 loopback proxy", "::1", "2001:db8::7", proxies, "2001:db8::7"],
  ["IPv6 CIDR proxy", "fd00::1234", "198.51.100.1", proxies, "198.51.100.1"],
  ["a hop with a port", "10.1.2.3", "198.51.100.1:51234", proxies, "198.51.100.1"],
  ["a bracketed IPv6 hop with a port", "10.1.2.3", "[2001:db8::7]:443", proxies, "2001:db8::7"],
  ["garbage right-most hop: the peer", "10.1.2.3", "198.51.100.1, evil", proxies, "10.1.2.3"],
  ["garbage behind a trusted hop: that hop", "10.1.2.3", "unknown, 10.9.9.9", proxies, "10.9.9.9"],
  ["no socket address", undefined, "198.51.100.1", proxies, "unknown"],
  ["a neighbour of a trusted address is not trusted", "192.168.1.6", "198.51.100.1", proxies, "192.168.1.6"],
  ["outside the CIDR is not trusted", "11.0.0.1", "198.51.100.1", proxies, "11.0.0.1"],
];

describe("clientAddress", () => {
  it.each(CASES)("%s", (_, peer, forwardedFor, trusted, expected) => {
    expect(clientAddress(peer, forwardedFor, trusted)).toBe(expected);
  });
});

describe("trustedProxies", () => {
  it("matches addresses and CIDRs of both families", () => {
    const p = trustedProxies(["10.0.0.0/8", "192.168.1.5", "fd00::/8", "0.0.0.0/0"]);
    expect(p.has("10.255.0.1")).toBe(true);
    expect(p.has("fd12::1")).toBe(true);
    expect(p.has("fe80::1")).toBe(false);
    expect(p.has("8.8.8.8")).toBe(true);
    expect(p.has("not an address")).toBe(false);
  });

  it.each(["10.0.0.0/33", "10.0.0.0/", "10.0.0.0/8/1", "fd00::/129", "proxy.internal", "10.0.0", ""])(
    "refuses %j, naming the setting",
    (entry) => {
      expect(() => trustedProxies([entry])).toThrow(/QUIVER_TRUSTED_PROXIES/);
    },
  );
});
