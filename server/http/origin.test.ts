import { describe, expect, it } from "vitest";
import { refuseCrossSiteWrite, withoutUntrustedHeaders } from "./origin";

// What trustedOrigins() gives for PORT=3000 and QUIVER_PUBLIC_URL=https://quiver.example.com.
const TRUSTED = [
  "http://localhost:3000",
  "http://127.0.0.1:3000",
  "http://[::1]:3000",
  "https://quiver.example.com",
];

function check(method: string, pathname: string, h: Record<string, string>) {
  return refuseCrossSiteWrite({ method, pathname, headers: new Headers(h), trustedOrigins: TRUSTED });
}

const json = { "content-type": "application/json", "content-length": "2" };

describe("refuseCrossSiteWrite", () => {
  it("lets same-origin JSON writes and origin-less clients (curl, SDKs) through", () => {
    expect(
      check("POST", "/api/trpc/entities.create", {
        ...json,
        host: "localhost:3000",
        origin: "http://localhost:3000",
      }),
    ).toBeNull();
    expect(
      check("POST", "/api/v1/push", {
        ...json,
        host: "quiver.example.com",
        origin: "https://quiver.example.com",
      }),
    ).toBeNull();
    expect(check("POST", "/api/v1/push", { ...json, host: "localhost:3000" })).toBeNull();
    expect(check("DELETE", "/api/x", { host: "localhost:3000" })).toBeNull();
  });

  it("lets writes from every loopback name on the app's port through", () => {
    for (const origin of ["http://127.0.0.1:3000", "http://[::1]:3000", "http://LOCALHOST:3000"])
      expect(
        check("POST", "/api/auth/sign-out", { ...json, host: "localhost:3000", origin }),
        origin,
      ).toBeNull();
  });

  it("lets the public URL's origin through behind a proxy, whatever Host the proxy sends", () => {
    for (const host of ["quiver.example.com", "localhost:3000", "10.0.0.5:3000"])
      expect(
        check("POST", "/api/auth/sign-in/email", { ...json, host, origin: "https://quiver.example.com" }),
        host,
      ).toBeNull();
  });

  it("refuses a foreign or null origin with 403", () => {
    for (const origin of [
      "https://evil.example",
      "null",
      "http://localhost:3001",
      "http://127.0.0.2:3000",
      "https://localhost:3000",
      "http://quiver.example.com",
      "https://quiver.example.com:8443",
      "https://quiver.example.com.evil.example",
      "not a url",
      "file:///x",
    ])
      expect(check("POST", "/api/trpc/x", { ...json, host: "localhost:3000", origin })?.status).toBe(403);
    expect(
      check("PATCH", "/api/auth/sign-in/email", { ...json, origin: "https://evil.example" })?.status,
    ).toBe(403);
  });

  it("refuses a foreign origin even when Host names it (DNS rebinding, a proxy passing Host through)", () => {
    expect(
      check("POST", "/api/trpc/x", { ...json, host: "evil.example", origin: "http://evil.example" })?.status,
    ).toBe(403);
    expect(
      check("POST", "/api/trpc/x", { ...json, host: "box.lan:3000", origin: "http://box.lan:3000" })?.status,
    ).toBe(403);
  });

  it("decides by the trusted list, never x-forwarded-host", () => {
    const r = check("POST", "/api/trpc/x", {
      ...json,
      host: "localhost:3000",
      origin: "https://evil.example",
      "x-forwarded-host": "evil.example",
      "x-forwarded-proto": "https",
    });
    expect(r?.status).toBe(403);
  });

  it("refuses form, multipart and text bodies, and bodies without a type, with 415", () => {
    for (const type of [
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "Text/Plain;charset=UTF-8",
    ])
      expect(check("POST", "/api/v1/push", { "content-type": type, "content-length": "5" })?.status).toBe(
        415,
      );
    expect(check("PUT", "/api/v1/push", { "content-length": "5" })?.status).toBe(415);
    expect(check("POST", "/api/v1/push", { "transfer-encoding": "chunked" })?.status).toBe(415);
    expect(check("POST", "/api/v1/push", { "content-length": "0" })).toBeNull();
  });

  it("leaves reads and pages alone", () => {
    expect(check("GET", "/api/trpc/x", { origin: "https://evil.example" })).toBeNull();
    expect(check("HEAD", "/api/v1/health", { origin: "null" })).toBeNull();
    expect(
      check("POST", "/p/demo", { origin: "https://evil.example", "content-type": "text/plain" }),
    ).toBeNull();
    expect(check("POST", "/apix", { origin: "https://evil.example" })).toBeNull();
  });
});

describe("withoutUntrustedHeaders", () => {
  it("drops forwarding and middleware headers a client could forge, keeps the rest", () => {
    const out = withoutUntrustedHeaders(
      new Headers({
        "x-middleware-subrequest": "middleware:middleware:middleware",
        "x-forwarded-for": "1.2.3.4",
        "x-forwarded-host": "evil.example",
        "x-forwarded-proto": "https",
        "x-real-ip": "1.2.3.4",
        forwarded: "for=1.2.3.4",
        cookie: "a=b",
        host: "localhost:3000",
        "x-quiver-client-ip": "127.0.0.1",
      }),
    );
    expect([...out.keys()].sort()).toEqual(["cookie", "host", "x-quiver-client-ip"]);
  });
});
