import { expect, test } from "@playwright/test";

/** The entity and source sub-forms of the register form: inline errors, then creation and selection. */
const suffix = Date.now().toString(36);

test("a new entity and a new source are made inline and selected", async ({ page }) => {
  await page.goto("/p/demo/views/new");

  // Each sub-form opens below the form's own Name field, so its Name is the last one.
  await page.getByRole("button", { name: "New entity" }).click();
  await page.getByRole("button", { name: "Create entity" }).click();
  await expect(page.getByText("Required").first()).toBeVisible();
  await page.getByRole("textbox", { name: "Name", exact: true }).last().fill(`rider_${suffix}`);
  await page.getByRole("textbox", { name: "Join key" }).fill("rider_id");
  await page.getByRole("button", { name: "Create entity" }).click();
  await expect(page.getByRole("list", { name: "Selected entities" })).toContainText(`rider_${suffix}`);

  await page.getByRole("button", { name: "New source" }).click();
  await page.getByRole("textbox", { name: "Name", exact: true }).last().fill(`rides_${suffix}`);
  await page.getByRole("textbox", { name: "Table name" }).fill("not a table!");
  await page.getByRole("button", { name: "Create source" }).click();
  await expect(page.getByText(/table name like schema\.table/i)).toBeVisible();
  await page.getByRole("textbox", { name: "Table name" }).fill("demo.driver_hourly_stats");
  await page.getByRole("button", { name: "Create source" }).click();
  await expect(page.getByRole("combobox", { name: "Source" })).toHaveValue(`rides_${suffix}`);
});
