import { expect, test } from "@playwright/test";

/**
 * A view's lag chart (docs/adr/0034-lag-history-and-run-logs.md): the worker samples every view's
 * lag each minute from its start, so the demo's views have samples within a minute; the freshness
 * board's lag links to the chart, which says what it shows in text for screen readers.
 */
test("the freshness board's lag opens the view's lag chart, summed up in words", async ({ page }) => {
  test.setTimeout(180_000);
  // A view with a watermark (the board puts failing and never materialized views first).
  const materialized = ["met", "no_sla", "at_risk", "late"].map((s) => `[data-status="${s}"]`).join(",");
  const row = page.getByTestId("freshness-row").and(page.locator(materialized)).first();
  await expect(async () => {
    await page.goto("/p/demo/freshness");
    await expect(row).toBeVisible({ timeout: 20_000 });
  }).toPass({ timeout: 120_000 });
  await row.getByRole("link", { name: /lag over the last 7 days/ }).click();
  await expect(page).toHaveURL(/\/views\/[^/]+#lag$/);
  const panel = page.getByRole("region", { name: "Lag" });
  await expect(panel.getByRole("heading", { name: "Lag over the last 7 days" })).toBeVisible();
  // Its lag appears once a minute was sampled after its first run succeeded.
  const caption = panel.getByTestId("lag-chart").locator("figcaption");
  await expect(async () => {
    await page.reload();
    await expect(caption).toHaveText(/^Lag over the last 7 days: max \d/, { timeout: 30_000 });
  }).toPass({ timeout: 150_000 });
  await expect(panel.locator(".recharts-line-curve").first()).toBeAttached();
  await panel.scrollIntoViewIfNeeded();
  await page.screenshot({ path: "/tmp/shots-lag/view-lag-chart.png", fullPage: true });
});
