import { expect, test } from "@playwright/test";

// The built app's /metrics through Next (proxy.ts, the route file) and Quiver's own listener: the
// test runner is on this machine, so it may scrape; the same request marked as forwarded by a
// proxy may not (Next adds X-Forwarded-For itself, only Quiver's listener sees the client's own).
test("GET /metrics serves a local scraper and refuses a forwarded one", async ({ request }) => {
  expect((await request.get("/api/v1/health")).status()).toBe(200);
  const local = await request.get("/metrics");
  expect(local.status()).toBe(200);
  expect(local.headers()["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
  expect(await local.text()).toMatch(
    /^quiver_http_request_duration_seconds_count\{route="\/api\/v1\/health",method="GET",status="200"\} [1-9]/m,
  );
  const forwarded = await request.get("/metrics", { headers: { "x-forwarded-for": "203.0.113.7" } });
  expect(forwarded.status()).toBe(403);
  expect(await forwarded.text()).not.toMatch(/quiver_/);
});
