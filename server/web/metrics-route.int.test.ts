import { describe, expect, it } from "vitest";
import { CLIENT_IP_HEADER } from "../auth/client-ip";

/** The app's /metrics route file answers through handleMetrics (access: server/metrics/metrics.int.test.ts). */
describe("app/metrics/route.ts", () => {
  it("serves Prometheus's text format to a loopback client, with the request's id", async () => {
    const route = await import("@/app/metrics/route");
    const res = await route.GET(
      new Request("http://quiver.test/metrics", { headers: { [CLIENT_IP_HEADER]: "127.0.0.1" } }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(await res.text()).toMatch(/^# TYPE quiver_http_request_duration_seconds histogram$/m);
    const far = await route.GET(
      new Request("http://quiver.test/metrics", { headers: { [CLIENT_IP_HEADER]: "198.51.100.4" } }),
    );
    expect(far.status).toBe(403);
  });
});
