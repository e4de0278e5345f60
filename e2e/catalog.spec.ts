import { expect, test } from "@playwright/test";

test("search finds a demo feature and opens its view", async ({ page }) => {
  await page.goto("/p/demo/features");
  await page.getByLabel("Search features").fill("conv");
  await expect(page).toHaveURL(/q=conv/);
  // driver_hourly_stats's conv_rate (the demo's driver_stats_7d has conv_rate_7d_avg too)
  const row = page
    .getByRole("row")
    .filter({ hasText: "conv_rate" })
    .filter({ hasText: "driver_hourly_stats" });
  await expect(row).toBeVisible();
  await expect(page.getByRole("row").filter({ hasText: "current_balance" })).toHaveCount(0);
  await row.getByRole("link", { name: "driver_hourly_stats" }).first().click();
  await expect(page).toHaveURL(/\/p\/demo\/views\/driver_hourly_stats/);
  await expect(page.getByRole("heading", { name: "driver_hourly_stats" })).toBeVisible();
});

test("a search with no match shows the empty state", async ({ page }) => {
  await page.goto("/p/demo/features?q=zzzz_no_such_feature");
  await expect(page.getByText(/No features match/i)).toBeVisible();
});
