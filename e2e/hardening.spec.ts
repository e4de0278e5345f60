import { expect, test } from "@playwright/test";

// Runs without a session: the refusals happen in proxy.ts before any handler or sign-in check.
const TRPC_WRITE = "/api/trpc/entities.create";
const body = JSON.stringify({
  json: { project: "demo", name: "never_made", joinKey: "k", valueType: "int64" },
});

test("a write from a foreign or null origin is refused with 403", async ({ request }) => {
  for (const origin of ["https://evil.example", "null"]) {
    const res = await request.post(TRPC_WRITE, {
      headers: { origin, "content-type": "application/json" },
      data: body,
    });
    expect(res.status(), origin).toBe(403);
    expect(await res.json()).toHaveProperty("error");
  }
});

test("a REST push from a foreign origin is refused with 403", async ({ request }) => {
  const res = await request.post("/api/v1/push", {
    headers: { origin: "https://evil.example", "content-type": "application/json" },
    data: JSON.stringify({ project: "demo", push_source: "driver_stats_push", rows: [] }),
  });
  expect(res.status()).toBe(403);
});

test("forwarding and middleware headers from a client change no decision", async ({ request }) => {
  const res = await request.post(TRPC_WRITE, {
    headers: {
      origin: "https://evil.example",
      "x-forwarded-host": "evil.example",
      "x-forwarded-proto": "https",
      // CVE-2025-29927: this header once made Next skip the middleware (now the proxy) entirely.
      "x-middleware-subrequest": "proxy:proxy:proxy:proxy:proxy",
      "content-type": "application/json",
    },
    data: body,
  });
  expect(res.status()).toBe(403);
});

test("form and text bodies are refused with 415", async ({ request }) => {
  for (const type of ["text/plain", "application/x-www-form-urlencoded"]) {
    const res = await request.post(TRPC_WRITE, { headers: { "content-type": type }, data: body });
    expect(res.status(), type).toBe(415);
  }
});

test("an oversized tRPC body is refused with 413", async ({ request }) => {
  const big = JSON.stringify({
    json: { project: "demo", name: "x", description: "a".repeat(2 * 1024 * 1024) },
  });
  const res = await request.post(TRPC_WRITE, { headers: { "content-type": "application/json" }, data: big });
  expect(res.status()).toBe(413);
  expect((await res.json()).error).toMatch(/too large/);
});

test("an oversized sign-in body is refused with 413", async ({ request }) => {
  const res = await request.post("/api/auth/sign-in/email", {
    data: { email: "a@example.com", password: "x".repeat(100 * 1024) },
  });
  expect(res.status()).toBe(413);
});

test("a tRPC batch larger than the bound is refused", async ({ request }) => {
  const paths = Array.from({ length: 21 }, () => "projects.list").join(",");
  const input = encodeURIComponent(JSON.stringify({}));
  const res = await request.get(`/api/trpc/${paths}?batch=1&input=${input}`);
  expect(res.status()).toBe(400);
});

test("pages and API answers carry the security headers, with a fresh script nonce", async ({ request }) => {
  const nonces = new Set<string>();
  for (const path of ["/", "/p/demo", "/p/demo/lineage", "/api/v1/health"]) {
    const res = await request.get(path, { maxRedirects: 0 });
    const h = res.headers();
    const csp = h["content-security-policy"] ?? "";
    const nonce = /script-src 'self' 'nonce-([^']+)' 'strict-dynamic'/.exec(csp)?.[1];
    expect(nonce, `${path}: ${csp}`).toBeTruthy();
    if (nonce) nonces.add(nonce);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-eval");
    expect(h["strict-transport-security"]).toBe("max-age=63072000; includeSubDomains");
    expect(h["x-content-type-options"]).toBe("nosniff");
    expect(h["x-frame-options"]).toBe("DENY");
  }
  expect(nonces.size).toBe(4);
});
