import { expect, test } from "@playwright/test";

/** A per-run name, so re-runs against the same server never collide. */
const entity = `audited_${Date.now().toString(36)}`;

test("a change shows on the audit page, with its diff", async ({ page }) => {
  // As the signed-in owner (the "app" project's storageState): the request shares the page's cookies.
  const created = await page.request.post("/api/trpc/entities.create", {
    data: { json: { project: "demo", name: entity, joinKey: "customer_id", valueType: "int64" } },
  });
  expect(created.status()).toBe(200);

  await page.goto("/p/demo/audit");
  await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
  const row = page.getByTestId("audit-row").filter({ hasText: entity });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("entity.create");
  await row.getByRole("button", { name: "Diff" }).click();
  await expect(page.getByText(`"joinKey": "customer_id"`)).toBeVisible();

  await page.getByLabel("Object", { exact: true }).fill(entity);
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(new RegExp(`object=${entity}`));
  await expect(page.getByTestId("audit-row")).toHaveCount(1);

  await page.goto(`/p/demo/audit?object=zz_no_such_${entity}`);
  await expect(page.getByText("No entries match these filters")).toBeVisible();
});
