import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, type Page, test } from "@playwright/test";
import { verifySignature } from "../server/alerts/sign";

/**
 * Alerts end to end (issue 12; docs/adr/0032-alerts.md): a rule made on the Alerts page sends one
 * signed breach to a local receiver when a view with an SLA is never materialized, and one
 * recovery once the view is materialized from its page; both show in the delivery log.
 * The e2e server checks for breaches every 2 s (QUIVER_ALERT_POLL_MS in playwright.config.ts).
 */
const suffix = Date.now().toString(36);
const SOURCE = `alert_src_${suffix}`;
const VIEW = `alert_view_${suffix}`;
const RULE = `oncall ${suffix}`;

interface Got {
  body: string;
  json: { event?: string; featureView?: string };
  timestamp: string | undefined;
  signature: string | undefined;
}

async function mutate(page: Page, path: string, input: unknown): Promise<unknown> {
  const res = await page.request.post(`/api/trpc/${path}`, { data: { json: input } });
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as { result: { data: { json: unknown } } }).result.data.json;
}

let server: http.Server;
const received: Got[] = [];
let url = "";

test.beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      received.push({
        body,
        json: JSON.parse(body) as Got["json"],
        timestamp: req.headers["x-quiver-timestamp"] as string | undefined,
        signature: req.headers["x-quiver-signature"] as string | undefined,
      });
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/quiver`;
});
test.afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const forView = (event: string) =>
  received.filter((r) => r.json.featureView === VIEW && r.json.event === event);

test("a breach sends one webhook, a recovery one more, both in the Alerts page's log", async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto("/p/demo/alerts");
  await expect(page.getByRole("heading", { name: "Alerts", level: 1 })).toBeVisible();
  await page.getByRole("button", { name: "Create rule" }).click();
  const form = page.getByRole("form", { name: "Create an alert rule" });
  await form.getByLabel("Name").fill(RULE);
  await form.getByLabel("Webhook URL").fill(url);
  await form.getByText("Slack", { exact: true }).click();
  await form.getByText("JSON", { exact: true }).click();
  await form.getByRole("button", { name: "Create rule" }).click();
  const secret = (await page.getByTestId("new-rule-secret").textContent()) ?? "";
  expect(secret).toMatch(/^whsec_/);
  await page.screenshot({ path: "/tmp/shots-alerts/alerts-rule-created.png", fullPage: true });
  await page.getByRole("button", { name: "Done" }).click();
  await expect(page.getByTestId(`alert-rule-${RULE}`)).toContainText("enabled");

  // A view with an hour's SLA and no run yet: in breach (no recent run) from the next pass.
  await mutate(page, "sources.create", {
    project: "demo",
    name: SOURCE,
    kind: "query",
    query:
      "select driver_id, event_timestamp, avg_daily_trips::bigint as trips from demo.driver_hourly_stats",
    timestampField: "event_timestamp",
  });
  await mutate(page, "featureViews.create", {
    project: "demo",
    spec: {
      name: VIEW,
      entities: ["driver"],
      source: SOURCE,
      ttlSeconds: 0,
      freshnessSlaSeconds: 3600,
      fields: [{ name: "trips", dtype: "int64" }],
    },
  });

  const deliveries = page.getByRole("table", { name: "Deliveries" });
  const breach = deliveries.getByTestId(`delivery-breach-${RULE}`).filter({ hasText: VIEW });
  await expect(breach).toHaveAttribute("data-status", "delivered", { timeout: 60_000 });
  await expect(breach).toContainText("200");
  await expect(page.getByRole("table", { name: "Incidents" }).getByTestId(`incident-${VIEW}`)).toContainText(
    "open",
  );
  expect(forView("breach")).toHaveLength(1);
  const [got] = forView("breach");
  expect(
    verifySignature({ secret, body: got?.body ?? "", timestamp: got?.timestamp, signature: got?.signature }),
  ).toBe(true);
  await page.screenshot({ path: "/tmp/shots-alerts/alerts-breach.png", fullPage: true });

  // The view's page: open incident marked, then materialized from its own button.
  await page.goto(`/p/demo/views/${VIEW}`);
  await expect(page.getByText("in breach now")).toBeVisible();
  await page.getByTestId("materialize-button").click();
  await page.getByTestId("materialize-incremental").click();
  await expect(page.getByText("in breach now")).toHaveCount(0, { timeout: 90_000 });
  await expect(page.getByRole("table", { name: "Breach history" })).toContainText("No recent run");
  await page.getByRole("table", { name: "Breach history" }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: "/tmp/shots-alerts/view-breach-history.png", fullPage: true });

  await page.goto("/p/demo/alerts");
  const recovery = page
    .getByRole("table", { name: "Deliveries" })
    .getByTestId(`delivery-recovery-${RULE}`)
    .filter({ hasText: VIEW });
  await expect(recovery).toHaveAttribute("data-status", "delivered", { timeout: 60_000 });
  expect(forView("recovery")).toHaveLength(1);
  // Still one breach: more passes never send it again.
  expect(forView("breach")).toHaveLength(1);
  await page.screenshot({ path: "/tmp/shots-alerts/alerts-recovered.png", fullPage: true });
});
