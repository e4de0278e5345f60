import { expect, type Page, test } from "@playwright/test";

/**
 * The entity and source sub-forms of the register form keep what they make as drafts: nothing is
 * saved until the view is. Cancelling the view leaves no entity or source behind; a view the
 * server refuses takes its drafts' new objects back out; a view that saves creates them with it.
 */
const suffix = Date.now().toString(36);

async function names(page: Page, list: "entities" | "sources"): Promise<string[]> {
  await page.goto(`/p/demo/${list}`);
  await expect(
    page.getByRole("heading", { name: list === "entities" ? "Entities" : "Sources" }),
  ).toBeVisible();
  await expect(page.getByRole("table")).toBeVisible();
  return page.getByRole("row").allInnerTexts();
}

async function addDrafts(page: Page, entity: string, joinKey: string, source: string) {
  // Each sub-form opens below the form's own Name field, so its Name is the last one.
  await page.getByRole("button", { name: "New entity" }).click();
  await page.getByRole("button", { name: "Add entity" }).click();
  await expect(page.getByText("Enter a name").first()).toBeVisible();
  await page.getByRole("textbox", { name: "Name", exact: true }).last().fill(entity);
  await page.getByRole("textbox", { name: "Join key" }).fill(joinKey);
  await page.getByRole("button", { name: "Add entity" }).click();
  await expect(page.getByRole("list", { name: "Selected entities" })).toContainText(entity);

  await page.getByRole("button", { name: "New source" }).click();
  await page.getByRole("textbox", { name: "Name", exact: true }).last().fill(source);
  await page.getByRole("textbox", { name: "Table name" }).fill("not a table!");
  await page.getByRole("button", { name: "Add source" }).click();
  await expect(page.getByText(/table name like schema\.table/i)).toBeVisible();
  await page.getByRole("textbox", { name: "Table name" }).fill("demo.driver_hourly_stats");
  await page.getByRole("button", { name: "Add source" }).click();
  await expect(page.getByRole("combobox", { name: "Source" })).toHaveValue(source);
}

test("inline drafts are not saved: cancelling the view leaves no entity or source", async ({ page }) => {
  const entity = `rider_${suffix}`;
  const source = `rides_${suffix}`;
  await page.goto("/p/demo/views/new");
  await addDrafts(page, entity, "rider_id", source);
  await page.screenshot({ path: "/tmp/quiver-shots/view-form-drafts.png", fullPage: true });
  await page.getByRole("link", { name: "Cancel" }).click();
  await expect(page).toHaveURL(/\/p\/demo\/views$/);

  expect((await names(page, "entities")).join("\n")).not.toContain(entity);
  expect((await names(page, "sources")).join("\n")).not.toContain(source);
});

test("a refused view takes its drafts back out; a saved one creates them with it", async ({ page }) => {
  const entity = `rider2_${suffix}`;
  const source = `rides2_${suffix}`;
  const view = `rides_view_${suffix}`;
  await page.goto("/p/demo/views/new");
  await page.getByRole("textbox", { name: "Name", exact: true }).fill(view);
  await addDrafts(page, entity, "rider_id", source);
  await page.getByLabel("Field 1 name").fill("conv_rate");
  await page.getByLabel("Field 1 type").selectOption("float64");

  // The table has no rider_id column: the server refuses the view, after the drafts were made.
  await page.getByRole("button", { name: "Register feature view" }).click();
  await expect(page.getByText(/has no column "rider_id" for join key/)).toBeVisible();
  await expect(page.getByRole("button", { name: "Register feature view" })).toBeEnabled();
  await expect(page).toHaveURL(/\/views\/new/);
  const afterRefusal = await page.context().newPage();
  expect((await names(afterRefusal, "entities")).join("\n")).not.toContain(entity);
  expect((await names(afterRefusal, "sources")).join("\n")).not.toContain(source);
  await afterRefusal.close();

  // The draft is changed in place (its badge reopens it) and the view saves with both.
  await page.getByRole("list", { name: "Selected entities" }).getByText("new").click();
  await page.getByRole("textbox", { name: "Join key" }).fill("driver_id");
  await page.getByRole("button", { name: "Update entity" }).click();
  await page.getByRole("button", { name: "Register feature view" }).click();
  await expect(page).toHaveURL(new RegExp(`/p/demo/views/${view}$`));
  expect((await names(page, "entities")).join("\n")).toContain(entity);
  expect((await names(page, "sources")).join("\n")).toContain(source);
});
