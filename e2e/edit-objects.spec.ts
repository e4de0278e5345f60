import { expect, type Locator, type Page, test } from "@playwright/test";

/**
 * Every object editable: for an entity, a source, a feature view, a feature service and a
 * consumer, create it through its form, edit it, deprecate it with a replacement, try to delete it
 * while something depends on it (refused, the dependant named as a link), then delete it once the
 * dependant is gone. The objects depend on each other as in real use: consumer -> service -> view
 * -> entity and source. Replacements are the demo's own objects or ones made through the API.
 */
const s = Date.now().toString(36);
const ENTITY = `rider_${s}`;
const SOURCE = `rides_${s}`;
const VIEW = `rider_stats_${s}`;
const SERVICE = `rider_svc_${s}`;
const SERVICE2 = `rider_svc2_${s}`;
const CONSUMER = `eta_${s}`;
const CONSUMER2 = `eta2_${s}`;

test.describe.configure({ mode: "serial" });

async function trpc(page: Page, path: string, input: unknown) {
  const res = await page.request.post(`/api/trpc/${path}`, {
    headers: { "content-type": "application/json" },
    data: JSON.stringify({ json: input }),
  });
  expect(res.status(), await res.text()).toBe(200);
}

/** The row of `name` in the list page's table. */
function row(page: Page, name: string): Locator {
  return page.getByRole("row").filter({ has: page.getByTestId(`object-actions-${name}`) });
}

async function deprecate(page: Page, name: string, replacement: string, note: string) {
  await page.getByRole("button", { name: `Deprecate ${name}`, exact: true }).click();
  const dialog = page.getByRole("dialog", { name: `Deprecate ${name}` });
  await dialog.getByRole("button", { name: "Deprecate", exact: true }).click();
  await expect(dialog.getByText("Say why it is deprecated")).toBeVisible();
  await dialog.getByLabel("Note").fill(note);
  await dialog.getByLabel("Replaced by").selectOption(replacement);
  await dialog.getByRole("button", { name: "Deprecate", exact: true }).click();
  await expect(dialog).toBeHidden();
}

/**
 * Deletes through the dialog; with `refusedBy`, expects the dialog to say at once that the object
 * cannot go, linking that dependant, and to keep its delete button disabled.
 */
async function tryDelete(
  page: Page,
  name: string,
  label: string,
  refusedBy?: { name: string; href: RegExp },
) {
  await page
    .getByRole("button", { name: `Delete ${name}` })
    .first()
    .click();
  const dialog = page.getByRole("dialog", { name: `Delete ${name}` });
  const confirm = dialog.getByRole("button", { name: `Delete ${label}` });
  await expect(confirm).toBeDisabled();
  if (refusedBy) {
    const refusal = dialog.getByTestId("delete-refused");
    await expect(refusal).toContainText(`${name} cannot be deleted`);
    await expect(refusal.getByRole("link", { name: refusedBy.name })).toHaveAttribute("href", refusedBy.href);
    await dialog.getByLabel(`Type ${name} to confirm`).fill(name);
    await expect(confirm).toBeDisabled();
    await dialog.getByRole("button", { name: "Close" }).click();
    await expect(dialog).toBeHidden();
    return;
  }
  await dialog.getByLabel(`Type ${name} to confirm`).fill(name);
  await confirm.click();
}

test("entity and source: create and edit through their forms", async ({ page }) => {
  await page.goto("/p/demo/entities");
  await page.getByRole("link", { name: "New entity" }).click();
  await expect(page).toHaveURL(/\/entities\/new$/);
  await page.getByRole("button", { name: "Create entity" }).click();
  await expect(page.getByText("Enter a name")).toBeVisible();
  await page.getByRole("textbox", { name: "Name", exact: true }).fill(ENTITY);
  await page.getByRole("textbox", { name: "Join key" }).fill("Bad Key");
  await page.getByRole("button", { name: "Create entity" }).click();
  await expect(page.getByText(/must start with a lowercase letter/i)).toBeVisible();
  await page.getByRole("textbox", { name: "Join key" }).fill("driver_id");
  await page.screenshot({ path: "/tmp/quiver-shots/entity-form.png", fullPage: true });
  await page.getByRole("button", { name: "Create entity" }).click();
  await expect(page).toHaveURL(new RegExp(`/p/demo/entities/${ENTITY}$`));

  await page.goto(`/p/demo/entities/${ENTITY}/edit`);
  await expect(page.getByRole("textbox", { name: "Name", exact: true })).toBeDisabled();
  await page.getByRole("textbox", { name: "Description" }).fill("Riders, keyed like drivers");
  await page.getByRole("button", { name: "Save entity" }).click();
  await expect(page).toHaveURL(new RegExp(`/p/demo/entities/${ENTITY}$`));
  await page.goto("/p/demo/entities");
  await expect(row(page, ENTITY)).toContainText("Riders, keyed like drivers");

  await page.goto("/p/demo/sources");
  await page.getByRole("link", { name: "New source" }).click();
  await page.getByRole("textbox", { name: "Name", exact: true }).fill(SOURCE);
  await page.getByRole("textbox", { name: "Table name" }).fill("demo.driver_hourly_stats");
  await page.getByRole("button", { name: "Create source" }).click();
  await expect(page).toHaveURL(new RegExp(`/p/demo/sources/${SOURCE}$`));
  await page.goto(`/p/demo/sources/${SOURCE}/edit`);
  await expect(page.getByRole("textbox", { name: "Table name" })).toHaveValue("demo.driver_hourly_stats");
  await page.getByRole("textbox", { name: "Created timestamp field" }).fill("created");
  await page.getByRole("textbox", { name: "Owner" }).fill("rides-team");
  await page.getByRole("button", { name: "Save source" }).click();
  await expect(page).toHaveURL(new RegExp(`/p/demo/sources/${SOURCE}$`));
  await page.goto("/p/demo/sources");
  await expect(row(page, SOURCE)).toContainText("created");
  await expect(row(page, SOURCE)).toContainText("rides-team");
});

test("feature view on them: create, edit", async ({ page }) => {
  await page.goto("/p/demo/views/new");
  await page.getByRole("textbox", { name: "Name", exact: true }).fill(VIEW);
  await page.getByRole("combobox", { name: "Entities" }).selectOption(ENTITY);
  await page.getByRole("combobox", { name: "Source" }).selectOption(SOURCE);
  await page.getByLabel("Field 1 name").fill("conv_rate");
  await page.getByLabel("Field 1 type").selectOption("float64");
  await page.getByRole("button", { name: "Add field" }).click();
  await page.getByLabel("Field 2 name").fill("acc_rate");
  await page.getByLabel("Field 2 type").selectOption("float64");
  await page.getByRole("button", { name: "Register feature view" }).click();
  await expect(page).toHaveURL(new RegExp(`/p/demo/views/${VIEW}$`));

  await page.getByTestId("edit-view").click();
  await page.getByRole("textbox", { name: "Description", exact: true }).fill("Rider conversion");
  await page.getByRole("button", { name: "Save new version" }).click();
  await expect(page).toHaveURL(new RegExp(`/p/demo/views/${VIEW}$`));
  await expect(page.getByText("Rider conversion").first()).toBeVisible();
  await expect(page.getByText("v2", { exact: true }).first()).toBeVisible();

  // A breaking edit (the ttl shortens) is planned first: the plan screen says what breaks.
  await page.getByTestId("edit-view").click();
  await page.getByRole("spinbutton", { name: "Time to live", exact: true }).fill("12");
  await page.getByLabel("Time to live unit").selectOption("hours");
  await page.getByRole("button", { name: "Save new version" }).click();
  const plan = page.getByTestId("plan-screen");
  await expect(plan.getByRole("list", { name: "Breaking changes" })).toContainText("ttl shortens");
  await expect(plan.getByTestId("rematerialization")).toHaveText("Not needed");
  await expect(plan.getByRole("cell", { name: "conv_rate" }).first()).toBeVisible();
  await page.screenshot({ path: "/tmp/quiver-shots/plan-screen.png", fullPage: true });
  await plan.getByRole("button", { name: "Back" }).click();
  await expect(page.getByRole("spinbutton", { name: "Time to live", exact: true })).toHaveValue("12");
  await page.getByRole("button", { name: "Save new version" }).click();
  await plan.getByRole("button", { name: "Save and re-materialize" }).click();
  await expect(page).toHaveURL(new RegExp(`/p/demo/views/${VIEW}$`));
  await expect(page.getByText("v3", { exact: true }).first()).toBeVisible();
  // The run the save queued shows on the view's page; it finishes before the view is deleted below.
  await expect(page.getByTestId("run-row").first()).toHaveAttribute("data-status", "succeeded", {
    timeout: 90_000,
  });
});

test("feature service and consumer: create and edit through their forms", async ({ page }) => {
  await page.goto("/p/demo/services");
  await page.getByRole("link", { name: "New feature service" }).click();
  await page.getByRole("textbox", { name: "Name", exact: true }).fill(SERVICE);
  await page.getByRole("button", { name: "Create feature service" }).click();
  await expect(page.getByText("Choose a feature view", { exact: true })).toBeVisible();
  await page.getByRole("combobox", { name: "Feature view 1" }).selectOption(VIEW);
  await page.getByRole("checkbox", { name: "All features" }).uncheck();
  await page.getByRole("button", { name: "Create feature service" }).click();
  await expect(page.getByText("Choose at least one feature, or all of them")).toBeVisible();
  await page.getByRole("checkbox", { name: /conv_rate/ }).check();
  await page.screenshot({ path: "/tmp/quiver-shots/service-form.png", fullPage: true });
  await page.getByRole("button", { name: "Create feature service" }).click();
  await expect(page).toHaveURL(new RegExp(`/p/demo/services/${SERVICE}$`));

  await page.goto(`/p/demo/services/${SERVICE}/edit`);
  await expect(page.getByRole("checkbox", { name: /conv_rate/ })).toBeChecked();
  await page.getByRole("checkbox", { name: /acc_rate/ }).check();
  await page.getByRole("button", { name: "Save feature service" }).click();
  await expect(page).toHaveURL(new RegExp(`/p/demo/services/${SERVICE}$`));
  await page.goto("/p/demo/services");
  await expect(row(page, SERVICE)).toContainText("conv_rate, acc_rate");

  await page.getByRole("link", { name: "New consumer" }).click();
  await page.getByRole("textbox", { name: "Name", exact: true }).fill(CONSUMER);
  await page.getByRole("radio", { name: /model/i }).check();
  await page.getByRole("checkbox", { name: new RegExp(SERVICE) }).check();
  await page.getByRole("button", { name: "Create consumer" }).click();
  await expect(page).toHaveURL(new RegExp(`/p/demo/consumers/${CONSUMER}$`));
  await page.goto(`/p/demo/consumers/${CONSUMER}/edit`);
  await page.getByRole("textbox", { name: "Description" }).fill("Predicts trip times");
  await page.getByRole("button", { name: "Save consumer" }).click();
  await expect(page).toHaveURL(new RegExp(`/p/demo/consumers/${CONSUMER}$`));
  await page.goto("/p/demo/services");
  await expect(row(page, CONSUMER)).toContainText("Predicts trip times");
  await expect(row(page, CONSUMER)).toContainText(SERVICE);
});

test("each is deprecated with a replacement", async ({ page }) => {
  // Replacements of the same kind: the demo's entity, source and view; a service and consumer made here.
  await trpc(page, "featureServices.create", { project: "demo", name: SERVICE2, features: [`${VIEW}:*`] });
  await trpc(page, "consumers.create", { project: "demo", name: CONSUMER2, kind: "service" });

  await page.goto("/p/demo/entities");
  await deprecate(page, ENTITY, "driver", "Riders are drivers now");
  await expect(row(page, ENTITY).getByText("deprecated")).toHaveAttribute("title", /Replaced by driver/);
  await page.goto("/p/demo/sources");
  await deprecate(page, SOURCE, "driver_stats_source", "Same table as the demo source");
  await expect(row(page, SOURCE).getByText("deprecated")).toHaveAttribute(
    "title",
    /Replaced by driver_stats_source/,
  );

  await page.goto(`/p/demo/views/${VIEW}`);
  await page.getByRole("button", { name: "Deprecate" }).click();
  const dialog = page.getByRole("dialog", { name: `Deprecate ${VIEW}` });
  await dialog.getByLabel("Note").fill("Use the driver stats");
  await dialog.getByLabel("Replaced by").selectOption("driver_hourly_stats");
  await page.screenshot({ path: "/tmp/quiver-shots/deprecate-dialog.png" });
  await dialog.getByRole("button", { name: "Deprecate", exact: true }).click();
  await expect(page.getByText("deprecated, replaced by driver_hourly_stats")).toBeVisible();
  await expect(page.getByRole("button", { name: "Undeprecate" })).toBeVisible();

  await page.goto("/p/demo/services");
  await deprecate(page, SERVICE, SERVICE2, "Moved to the second service");
  await expect(row(page, SERVICE).getByText("deprecated")).toHaveAttribute("title", new RegExp(SERVICE2));
  await deprecate(page, CONSUMER, CONSUMER2, "Retired model");
  await expect(row(page, CONSUMER).getByText("deprecated")).toHaveAttribute("title", new RegExp(CONSUMER2));
});

test("deletes are refused while something depends, then go through", async ({ page }) => {
  await page.goto("/p/demo/entities");
  await tryDelete(page, ENTITY, "entity", { name: VIEW, href: new RegExp(`/p/demo/views/${VIEW}$`) });
  await page.goto("/p/demo/sources");
  await tryDelete(page, SOURCE, "source", { name: VIEW, href: new RegExp(`/p/demo/views/${VIEW}$`) });
  await page.goto(`/p/demo/views/${VIEW}`);
  await tryDelete(page, VIEW, "feature view", {
    name: SERVICE,
    href: new RegExp(`/p/demo/services/${SERVICE}$`),
  });
  await page.goto("/p/demo/services");
  await tryDelete(page, SERVICE, "feature service", {
    name: CONSUMER,
    href: new RegExp(`/p/demo/consumers/${CONSUMER}$`),
  });
  // The deprecated consumer names the other as its replacement: that one waits for it.
  await tryDelete(page, CONSUMER2, "consumer", {
    name: CONSUMER,
    href: new RegExp(`/p/demo/consumers/${CONSUMER}$`),
  });
  await page.screenshot({ path: "/tmp/quiver-shots/delete-refused.png" });

  // From the top down each delete now goes through.
  await tryDelete(page, CONSUMER, "consumer");
  await expect(row(page, CONSUMER)).toHaveCount(0);
  await tryDelete(page, CONSUMER2, "consumer");
  await expect(row(page, CONSUMER2)).toHaveCount(0);
  await tryDelete(page, SERVICE, "feature service");
  await expect(row(page, SERVICE)).toHaveCount(0);
  await tryDelete(page, SERVICE2, "feature service");
  await expect(row(page, SERVICE2)).toHaveCount(0);

  await page.goto(`/p/demo/views/${VIEW}`);
  await tryDelete(page, VIEW, "feature view");
  await expect(page).toHaveURL(/\/p\/demo\/views$/);
  await expect(page.getByRole("link", { name: VIEW })).toHaveCount(0);
  await page.goto("/p/demo/entities");
  await tryDelete(page, ENTITY, "entity");
  await expect(row(page, ENTITY)).toHaveCount(0);
  await page.goto("/p/demo/sources");
  await tryDelete(page, SOURCE, "source");
  await expect(row(page, SOURCE)).toHaveCount(0);
});
