import { expect, test } from "@playwright/test";
import { Redis } from "ioredis";

// The freshness board's summary cards filter its table (issue 12), the filter kept in the URL.
// The demo's views change state while their first runs go (never materialized, then met), so the
// test reads a row's state and filters by it, rather than assuming one.

test("a summary card filters the table to its state, and again shows all", async ({ page }) => {
  await page.goto("/p/demo/freshness");
  const rows = page.getByTestId("freshness-row");
  await expect(rows.first()).toBeVisible();
  const all = await rows.count();
  const status = await rows.first().getAttribute("data-status");
  expect(status).toBeTruthy();

  const card = page.getByTestId(`freshness-summary-${status}`);
  await expect(card).toHaveAttribute("aria-pressed", "false");
  await card.click();
  await expect(page).toHaveURL(new RegExp(`[?&]status=${status}$`));
  await expect(card).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByRole("status").filter({ hasText: "Showing the views that are" })).toBeVisible();
  // Every row left has the state (the board refreshes; a row may change state meanwhile, so the
  // check is on what is shown, by the app's own attribute).
  for (const s of await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-status"))))
    expect(s).toBe(status);

  await page.getByRole("button", { name: "Show all views" }).click();
  await expect(page).toHaveURL(/\/freshness$/);
  await expect(rows).toHaveCount(all);
});

test("a state no view is in says so, from a shared link", async ({ page }) => {
  await page.goto("/p/demo/freshness");
  await expect(page.getByTestId("freshness-row").first()).toBeVisible();
  // Six states and a few demo views: some state has none (read from the cards' names).
  const names = await page
    .getByRole("list", { name: "Summary" })
    .getByRole("button")
    .evaluateAll((els) => els.map((e) => [e.getAttribute("data-testid"), e.getAttribute("aria-label")]));
  const empty = names.find(([, label]) => label?.endsWith(": 0 views"));
  expect(empty, JSON.stringify(names)).toBeTruthy();
  const status = (empty?.[0] ?? "").replace("freshness-summary-", "");
  const label = (empty?.[1] ?? "").replace(": 0 views", "");

  await page.goto(`/p/demo/freshness?status=${status}`);
  await expect(page.getByTestId(`freshness-summary-${status}`)).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByText(`No view is ${label.toLowerCase()}`)).toBeVisible();
  await expect(page.getByTestId("freshness-row")).toHaveCount(0);
});

// Transformations and stream views (docs/adr/0040). The e2e server runs no stream worker, so
// entries added to the demo's stream wait with no consumer group: "Not consumed".
test("transformations and stream views have sections of their own", async ({ page }) => {
  const redisUrl = process.env.REDIS_URL;
  if (redisUrl) {
    const u = new URL(redisUrl);
    u.pathname = `/${process.env.E2E_REDIS_DB ?? 2}`;
    const redis = new Redis(u.toString(), { maxRetriesPerRequest: 1 });
    try {
      for (let i = 0; i < 3; i++)
        await redis.xadd(
          "demo:trips",
          "*",
          "trip_id",
          `e2e-${Date.now()}-${i}`,
          "driver_id",
          "1001",
          "fare",
          "12.5",
        );
    } finally {
      redis.disconnect();
    }
  }
  await page.goto("/p/demo/freshness");

  const transformations = page.getByTestId("freshness-transformations");
  await expect(transformations.getByRole("heading", { name: "Transformations" })).toBeVisible();
  const tx = transformations
    .getByTestId("freshness-transformation-row")
    .filter({ hasText: "driver_stats_7d" });
  await expect(tx).toHaveAttribute("data-status", /^(failing|never_run|stale|fresh)$/);

  const streams = page.getByTestId("freshness-streams");
  const stream = streams.getByTestId("freshness-stream-row").filter({ hasText: "driver_trips_live" });
  await expect(stream).toContainText("demo:trips");
  if (redisUrl) {
    await expect(stream).toHaveAttribute("data-status", "failing");
    await expect(stream).toContainText("Not consumed");
  } else {
    await expect(stream).toHaveAttribute("data-status", "unavailable");
    await expect(stream).toContainText("REDIS_URL");
  }

  await tx.getByRole("link", { name: "driver_stats_7d", exact: true }).click();
  await expect(page).toHaveURL(/\/p\/demo\/transformations\/driver_stats_7d$/);
});
