import { expect, test } from "@playwright/test";

// The Jobs page filters runs by view, status and creation window (issue 12), kept in the URL. The
// demo's runs depend on what ran before, so statuses are read from the page, not assumed.

const STATUSES = ["queued", "running", "retrying", "succeeded", "failed", "cancelled"];

test("runs filter by status and time, and a filter nothing matches says so", async ({ page }) => {
  await page.goto("/p/demo/jobs");
  const rows = page.getByTestId("run-row");
  await expect(rows.first()).toBeVisible();
  const seen = await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-status")));
  const status = seen[0] ?? "";

  await page.getByLabel("Status").selectOption(status);
  await expect(page).toHaveURL(new RegExp(`[?&]status=${status}(&|$)`));
  await expect(rows.first()).toBeVisible();
  for (const s of await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-status"))))
    expect(s).toBe(status);

  await page.getByLabel("Created").selectOption("30d");
  await expect(page).toHaveURL(/status=[a-z]+&within=30d$/);
  await expect(rows.first()).toBeVisible();

  // A status none of the project's runs is in (fewer runs than the page's limit: all are shown).
  const absent = STATUSES.find((s) => !seen.includes(s));
  expect(absent, `every status is present: ${seen.join(", ")}`).toBeTruthy();
  await page.getByLabel("Status").selectOption(absent ?? "");
  await expect(page.getByText("No runs match these filters")).toBeVisible();
  await expect(page.getByText(`No run in status ${absent}, created in the last 30 days.`)).toBeVisible();
  await page.getByRole("link", { name: "Clear status and time" }).click();
  await expect(page).toHaveURL(/\/jobs$/);
  await expect(rows).toHaveCount(seen.length);
});
