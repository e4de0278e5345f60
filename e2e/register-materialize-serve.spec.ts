import { expect, test } from "@playwright/test";

/**
 * The main path of a new user: register a feature view through the form, materialize it from its
 * page, read its values back through the retrieval API, and find it in the lineage graph. It builds
 * on the demo project's `driver` entity and `driver_stats_source` (seeded on first start).
 */
const VIEW = `driver_e2e_${Date.now().toString(36)}`;

test.describe.configure({ mode: "serial" });

test("the form refuses a bad definition inline", async ({ page }) => {
  await page.goto("/p/demo/views/new");
  await page.getByRole("textbox", { name: "Name", exact: true }).fill("Bad Name");
  await page.getByRole("button", { name: "Register feature view" }).click();
  await expect(page.getByText(/must start with a lowercase letter/i).first()).toBeVisible();
  await expect(page).toHaveURL(/\/views\/new/);
});

test("register a feature view through the form", async ({ page }) => {
  await page.goto("/p/demo/views/new");
  await page.getByRole("textbox", { name: "Name", exact: true }).fill(VIEW);
  await page.getByRole("textbox", { name: "Owner" }).fill("e2e@example.com");
  await page
    .getByRole("textbox", { name: "Description", exact: true })
    .fill("Registered by the end-to-end test");
  await page.getByRole("combobox", { name: "Entities" }).selectOption("driver");
  await page.getByRole("combobox", { name: "Source" }).selectOption("driver_stats_source");
  await page.getByLabel("Field 1 name").fill("conv_rate");
  await page.getByLabel("Field 1 type").selectOption("float64");
  await page.getByRole("button", { name: "Add field" }).click();
  await page.getByLabel("Field 2 name").fill("avg_daily_trips");
  await page.getByLabel("Field 2 type").selectOption("int64");
  await page.getByRole("button", { name: "Register feature view" }).click();
  await expect(page).toHaveURL(new RegExp(`/p/demo/views/${VIEW}$`));
  await expect(page.getByRole("heading", { name: VIEW })).toBeVisible();
  await expect(page.getByRole("cell", { name: "avg_daily_trips" }).first()).toBeVisible();
});

test("materialize it from its page and watch the run succeed", async ({ page }) => {
  await page.goto(`/p/demo/views/${VIEW}`);
  await page.getByTestId("materialize-button").click();
  // The window defaults to the last 24 hours; the demo data reaches the current hour.
  await page.getByTestId("materialize-window").click();
  const run = page.getByTestId("run-row").first();
  await expect(run).toHaveAttribute("data-status", "succeeded", { timeout: 90_000 });
  await expect(run).toContainText("50");
});

test("the retrieval API returns its values", async ({ request }) => {
  const res = await request.post("/api/v1/get-online-features", {
    data: {
      features: [`${VIEW}:conv_rate`, `${VIEW}:avg_daily_trips`],
      entities: { driver_id: [1001, 1050, 9999] },
    },
  });
  expect(res.status()).toBe(200);
  const body = (await res.json()) as {
    metadata: { feature_names: string[] };
    results: { values: unknown[]; statuses: string[] }[];
  };
  expect(body.metadata.feature_names).toEqual(["driver_id", "conv_rate", "avg_daily_trips"]);
  const [keys, conv, trips] = body.results;
  expect(keys?.values).toEqual([1001, 1050, 9999]);
  expect(conv?.statuses).toEqual(["PRESENT", "PRESENT", "NOT_FOUND"]);
  expect(typeof conv?.values[0]).toBe("number");
  expect(trips?.statuses.slice(0, 2)).toEqual(["PRESENT", "PRESENT"]);

  const bad = await request.post("/api/v1/get-online-features", {
    data: { features: [`${VIEW}:no_such_feature`], entities: { driver_id: [1001] } },
  });
  expect(bad.status()).toBe(400);
  expect(((await bad.json()) as { error: string }).error).toContain("no_such_feature");
});

test("the lineage page shows it between its source and its features", async ({ page }) => {
  await page.goto(`/p/demo/lineage?focus=feature_view:${VIEW}`);
  const graph = page.locator(".react-flow");
  await expect(graph).toBeVisible();
  await expect(graph.getByText(VIEW).first()).toBeVisible();
  await expect(graph.getByText("driver_stats_source").first()).toBeVisible();
});
