import { describe, expect, it } from "vitest";
import { isSameOrigin, refuseCrossSiteWrite, withoutUntrustedHeaders } from "./origin";

function check(method: string, pathname: string, h: Record<string, string>) {
  return refuseCrossSiteWrite({ method, pathname, headers: new Headers(h) });
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

  it("refuses a foreign or null origin with 403", () => {
    for (const origin of [
      "https://evil.example",
      "null",
      "http://localhost:3001",
      "http://127.0.0.1:3000",
      "not a url",
      "file:///x",
    ])
      expect(check("POST", "/api/trpc/x", { ...json, host: "localhost:3000", origin })?.status).toBe(403);
    expect(
      check("PATCH", "/api/auth/sign-in/email", { ...json, origin: "https://evil.example" })?.status,
    ).toBe(403);
  });

  it("decides by the Host header, never x-forwarded-host", () => {
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

describe("isSameOrigin", () => {
  it("compares host and port, dropping default ports", () => {
    expect(isSameOrigin("https://q.example", "q.example:443")).toBe(true);
    expect(isSameOrigin("http://q.example", "Q.EXAMPLE")).toBe(true);
    expect(isSameOrigin("https://q.example:8443", "q.example")).toBe(false);
    expect(isSameOrigin("https://q.example", null)).toBe(false);
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
