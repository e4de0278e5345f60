import { expect, test } from "@playwright/test";

/**
 * The offline store's walls as a person meets them (docs/adr/0013-offline-isolation.md): the source
 * form refuses tables outside the project's space and queries that are not one plain SELECT, naming
 * the rule; Settings shows the space; Freshness shows background probes, never running a source
 * while the page waits.
 */
const suffix = Date.now().toString(36);

test("the source form refuses Quiver's tables and unsafe queries, naming the rule", async ({ page }) => {
  // The source page's form asks the server at once (the view form's inline one keeps a draft).
  await page.goto("/p/demo/sources/new");
  await page.getByRole("textbox", { name: "Name", exact: true }).fill(`stolen_${suffix}`);
  await page.getByRole("textbox", { name: "Table name" }).fill("public.users");
  await page.getByRole("button", { name: "Create source" }).click();
  await expect(page.getByText(/may name only tables in its offline space \(schemas demo\)/i)).toBeVisible();

  await page.getByText("SQL query", { exact: true }).click();
  const query = page.getByRole("textbox", { name: "Query" });
  await query.fill("select pg_sleep(30) as x, now() as event_timestamp");
  await page.getByRole("button", { name: "Create source" }).click();
  await expect(page.getByText(/function pg_sleep is not allowed in a query source/i)).toBeVisible();

  await query.fill("select 1 as x, now() as event_timestamp; delete from users");
  await page.getByRole("button", { name: "Create source" }).click();
  await expect(page.getByText(/must be exactly one statement, found 2/i)).toBeVisible();
  await page.screenshot({ path: "/tmp/quiver-shots/source-form-sandbox.png", fullPage: true });
});

test("settings show the project's offline space", async ({ page }) => {
  await page.goto("/p/demo/settings");
  const section = page.locator("#offline-space");
  await expect(section.getByRole("heading", { name: "Offline space" })).toBeVisible();
  await expect(section.getByText(/^quiver(_e2e)?_offline$/)).toBeVisible();
  await expect(section.getByText(/_demo_r \(reads\)/)).toBeVisible();
  await expect(section.getByText(/offers no further shared schemas/)).toBeVisible();
  await section.scrollIntoViewIfNeeded();
  await page.screenshot({ path: "/tmp/quiver-shots/settings-offline-space.png", fullPage: true });
});

test("freshness shows each source's last background probe", async ({ page }) => {
  await page.goto("/p/demo/freshness");
  // The first visit queues the probes; the page refreshes itself until they are in.
  const row = page.getByRole("row").filter({ hasText: "driver_hourly_stats" }).first();
  await expect(row.getByText(/^probed /)).toBeVisible({ timeout: 60_000 });
  await page.screenshot({ path: "/tmp/quiver-shots/freshness-probes.png", fullPage: true });
});
