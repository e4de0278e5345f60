import { expect, type Page, test } from "@playwright/test";

// The command palette over the demo project (server/demo/definitions.ts): it waits on the app's
// own signals (the listbox's options, the dialog's state, the URL), never on a fixed delay.

const palette = (page: Page) => page.getByRole("dialog", { name: "Go to an object" });
const field = (page: Page) => palette(page).getByRole("combobox", { name: "Object name" });
/** Presses Ctrl+K once the page listens for it (hydrated), not before. */
async function pressShortcut(page: Page) {
  await expect(page.getByRole("button", { name: /Go to/ })).toHaveAttribute("data-shortcut", "on");
  await page.keyboard.press("Control+k");
}

test("Ctrl+K opens the palette, a prefix finds the view, Enter goes to its page", async ({ page }) => {
  await page.goto("/p/demo/features");
  await pressShortcut(page);
  await expect(palette(page)).toBeVisible();
  await expect(field(page)).toBeFocused();
  await expect(palette(page).getByText(/Type a name/)).toBeVisible();

  await field(page).fill("driver_hour");
  const first = palette(page).getByRole("option").first();
  await expect(first).toContainText("driver_hourly_stats");
  await expect(first).toHaveAttribute("aria-selected", "true");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/p\/demo\/views\/driver_hourly_stats$/);
  await expect(palette(page)).toBeHidden();
});

test("the sidebar button opens it; a typo still finds the feature; arrows move, Escape closes", async ({
  page,
}) => {
  await page.goto("/p/demo/features");
  await page.getByRole("button", { name: /Go to/ }).click();
  await expect(field(page)).toBeFocused();

  await field(page).fill("curent_balanse");
  const option = palette(page).getByRole("option", { name: /customer_profile:current_balance/ });
  await expect(option).toBeVisible();

  await field(page).fill("driver");
  const options = palette(page).getByRole("option");
  // The entity's name is the query itself, so it comes first.
  await expect(options.first()).toContainText(/^driver\s*Entity$/);
  await expect(options.nth(1)).toBeVisible();
  await page.keyboard.press("ArrowDown");
  await expect(options.nth(1)).toHaveAttribute("aria-selected", "true");
  await expect(field(page)).toHaveAttribute("aria-activedescendant", /.+/);
  await page.keyboard.press("ArrowUp");
  await expect(options.first()).toHaveAttribute("aria-selected", "true");

  await page.keyboard.press("Escape");
  await expect(palette(page)).toBeHidden();
  await expect(page).toHaveURL(/\/p\/demo\/features$/);
});

test("a feature opens its page at view:feature, and a name that matches nothing says so", async ({
  page,
}) => {
  await page.goto("/p/demo/views");
  await pressShortcut(page);
  await field(page).fill("zzzz_no_such_object");
  await expect(palette(page).getByText(/No objects match/)).toBeVisible();
  await expect(palette(page).getByRole("option")).toHaveCount(0);

  await field(page).fill("conv_rate");
  await expect(palette(page).getByRole("option").first()).toContainText("driver_hourly_stats:conv_rate");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/p\/demo\/features\/driver_hourly_stats\/conv_rate$/);
});

// The three engines (docs/adr/0040): their pages are built beside this work, so the test checks
// where Enter goes, not what the page shows.
test("an on-demand view is found by a prefix, and a stream feature leads to its view's page", async ({
  page,
}) => {
  await page.goto("/p/demo/features");
  await pressShortcut(page);
  await field(page).fill("driver_sc");
  const first = palette(page).getByRole("option").first();
  await expect(first).toContainText("driver_scores");
  await expect(first).toContainText("On-demand view");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/p\/demo\/on-demand\/driver_scores$/);

  // back to a page with the palette (the on-demand page may not exist on this branch yet)
  await page.goto("/p/demo/features");
  await pressShortcut(page);
  await field(page).fill("driver_trips_live:fare_sum");
  const feature = palette(page).getByRole("option").first();
  await expect(feature).toContainText("driver_trips_live:fare_sum_1h");
  await expect(feature).toContainText("Stream feature");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/p\/demo\/streams\/driver_trips_live$/);
});
