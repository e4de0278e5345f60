import fs from "node:fs";
import { expect, type Locator, type Page, test } from "@playwright/test";

/**
 * Every object page, opened from its list in the demo project: the definition, the lineage panel
 * with the object in focus, the fetch snippet, offline rows and online values (after a real
 * materialization of the demo's driver view). Waits only on the app's own signals.
 */

const SHOTS = "/tmp/quiver-shots";
const stamp = Date.now().toString(36);

async function trpcMutate(page: Page, path: string, input: unknown) {
  const res = await page.request.post(`/api/trpc/${path}`, { data: { json: input } });
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as { result: { data: { json: unknown } } }).result.data.json;
}

async function trpcQuery(page: Page, path: string, input: unknown) {
  const q = encodeURIComponent(JSON.stringify({ json: input }));
  const res = await page.request.get(`/api/trpc/${path}?input=${q}`);
  return ((await res.json()) as { result?: { data: { json: unknown } } }).result?.data.json;
}

/** The lineage panel drew the object's neighbourhood (React Flow nodes, the object among them). */
async function expectLineage(page: Page) {
  const lineage = page.getByTestId("object-lineage");
  await expect(lineage).toBeVisible();
  await expect.poll(() => lineage.locator(".react-flow__node").count()).toBeGreaterThan(1);
}

async function expectSnippet(page: Page, contains: string[]) {
  const snippet = page.getByTestId("fetch-snippet");
  await expect(snippet).toContainText("curl -s http");
  await expect(snippet).toContainText("/api/v1/get-online-features");
  for (const text of contains) await expect(snippet).toContainText(text);
  await snippet.getByRole("tab", { name: "Python" }).click();
  await expect(snippet).toContainText("requests.post(");
  await snippet.getByRole("tab", { name: "TypeScript" }).click();
  await expect(snippet).toContainText("await fetch(");
}

/**
 * The online lookup ran and found values. `all`: every value of the first row is there (only the
 * driver view was materialized: a service that also reads customer_profile has NOT_FOUND there).
 */
async function expectOnlineValues(online: Locator, all = true) {
  const rows = online.getByTestId("preview-row");
  await expect(rows.first()).toBeVisible();
  await expect(online.getByTestId("online-empty")).toHaveCount(0);
  if (all) await expect(rows.first()).not.toContainText("NOT_FOUND");
}

async function shot(page: Page, name: string) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/object-${name}-1440.png`, fullPage: true });
}

test.beforeAll(async ({ browser }) => {
  // Fill the online store with the demo's driver rows: a real materialization, waited on by its run.
  const page = await browser.newPage();
  const runs = (await trpcMutate(page, "jobs.materialize", {
    project: "demo",
    featureViews: ["driver_hourly_stats"],
    startTs: new Date("2000-01-01T00:00:00Z"),
    endTs: new Date(),
  })) as { id: string }[];
  const runId = runs[0]?.id;
  await expect
    .poll(
      async () =>
        ((await trpcQuery(page, "jobs.get", { project: "demo", runId })) as { status?: string })?.status,
      {
        timeout: 90_000,
      },
    )
    .toBe("succeeded");
  await page.close();
});

test("a feature's page, from search: definition, versions, lineage, rows, values and snippet", async ({
  page,
}) => {
  await page.goto("/p/demo/features");
  await page.getByRole("link", { name: "conv_rate", exact: true }).first().click();
  await expect(page).toHaveURL(/\/p\/demo\/features\/driver_hourly_stats\/conv_rate$/);
  await expect(page.getByTestId("object-name")).toHaveText("conv_rate");
  const definition = page.locator("#definition");
  await expect(definition).toContainText("float64");
  await expect(definition.getByRole("link", { name: "driver_hourly_stats" })).toBeVisible();
  await expect(definition.getByRole("link", { name: "driver_stats_source" })).toBeVisible();
  await expect(page.getByTestId("feature-versions")).toContainText("v1");
  await expect(page.getByTestId("feature-versions")).toContainText("added");
  // The demo's service includes it and its model reads that service.
  await expect(page.getByRole("link", { name: "driver_activity" }).first()).toBeVisible();
  await expect(page.getByRole("link", { name: "eta_model" }).first()).toBeVisible();
  await expectLineage(page);
  const offline = page.getByTestId("offline-preview");
  await expect(offline.getByTestId("preview-row").first()).toBeVisible();
  await expect(offline.getByRole("columnheader")).toHaveText([/driver_id/, /event_timestamp/, /conv_rate/]);
  const online = page.getByTestId("online-preview");
  await expectOnlineValues(online);
  await expectSnippet(page, ['"features": ["driver_hourly_stats:conv_rate"]', '"driver_id": [']);
  await expect(page.getByTestId("fetch-snippet")).toContainText("keys are from the first offline rows");
  await expect(page.getByTestId("freshness-panel")).toContainText("driver_hourly_stats");
  await shot(page, "feature");

  // Keys are editable: one nobody has is NOT_FOUND, and the page says why.
  await online.getByTestId("online-key-driver_id").fill("987654321");
  await online.getByTestId("online-lookup").click();
  await expect(online.getByText("NOT_FOUND")).toBeVisible();
  await expect(online.getByTestId("online-empty")).toBeVisible();
  await online.getByTestId("online-key-driver_id").fill("12a");
  await online.getByTestId("online-lookup").click();
  await expect(online.getByRole("alert")).toHaveText("driver_id takes whole numbers");
});

test("an entity's page, from the entities list", async ({ page }) => {
  await page.goto("/p/demo/entities");
  await page.getByRole("link", { name: "driver", exact: true }).click();
  await expect(page).toHaveURL(/\/p\/demo\/entities\/driver$/);
  await expect(page.getByTestId("object-name")).toHaveText("driver");
  await expect(page.locator("#definition")).toContainText("driver_id");
  await expect(
    page.getByTestId("related-views").getByRole("link", { name: "driver_hourly_stats" }),
  ).toBeVisible();
  await expect(page.getByTestId("freshness-panel")).toContainText("driver_hourly_stats");
  await expectLineage(page);
  await expectOnlineValues(page.getByTestId("online-preview"));
  await expectSnippet(page, ['"driver_id": [']);
  await shot(page, "entity");
});

test("a source's page, from the sources list, with its columns and rows", async ({ page }) => {
  await page.goto("/p/demo/sources");
  await page.getByRole("link", { name: "driver_stats_source", exact: true }).click();
  await expect(page).toHaveURL(/\/p\/demo\/sources\/driver_stats_source$/);
  await expect(page.getByTestId("object-name")).toHaveText("driver_stats_source");
  await expect(page.locator("#definition")).toContainText("demo.driver_hourly_stats");
  const columns = page.getByTestId("source-columns");
  await expect(columns.getByRole("row").filter({ hasText: "event_timestamp" })).toContainText(
    "timestamp with time zone",
  );
  const rows = page.getByTestId("offline-preview").getByTestId("preview-row");
  await expect(rows).toHaveCount(20);
  await page.getByLabel("Rows to show").selectOption("50");
  await expect(rows).toHaveCount(50);
  await expectLineage(page);
  await expectOnlineValues(page.getByTestId("online-preview"));
  await expectSnippet(page, ['"driver_id": [']);
  await shot(page, "source");
});

// A source's table and columns are checked when it is saved (LIMIT 0), so a source whose rows fail
// only when read is made of a query that divides by zero on every row.
test("a source whose rows cannot be read shows the problem, not a failure", async ({ page }) => {
  const name = `unreadable_${stamp}`;
  await trpcMutate(page, "sources.create", {
    project: "demo",
    name,
    kind: "query",
    query:
      "select driver_id, event_timestamp, 1 / (driver_id - driver_id) as broken from demo.driver_hourly_stats",
    timestampField: "event_timestamp",
  });
  await page.goto(`/p/demo/sources/${name}`);
  const problem = page.getByTestId("offline-preview").getByTestId("source-problem");
  await expect(problem).toContainText("division by zero");
  // Its columns are still known: reading them needs no row.
  await expect(
    page.getByTestId("source-columns").getByRole("row").filter({ hasText: "broken" }),
  ).toBeVisible();
  await shot(page, "source-unreadable");
});

test("a feature service's page, from the services list", async ({ page }) => {
  await page.goto("/p/demo/services");
  await page.getByRole("link", { name: "driver_activity", exact: true }).first().click();
  await expect(page).toHaveURL(/\/p\/demo\/services\/driver_activity$/);
  await expect(page.getByTestId("object-name")).toHaveText("driver_activity");
  const features = page.getByTestId("service-features");
  await expect(features.getByRole("link", { name: "driver_hourly_stats" })).toBeVisible();
  await expect(features.getByRole("link", { name: "conv_rate" })).toHaveAttribute(
    "href",
    "/p/demo/features/driver_hourly_stats/conv_rate",
  );
  await expect(page.getByRole("link", { name: "eta_model" }).first()).toBeVisible();
  await expectLineage(page);
  await expectOnlineValues(page.getByTestId("online-preview"), false);
  await expectSnippet(page, ['"feature_service": "driver_activity"']);
  await shot(page, "service");
});

test("a consumer's page, from the consumers list in the sidebar", async ({ page }) => {
  await page.goto("/p/demo/features");
  await page.getByRole("link", { name: "Consumers" }).click();
  await expect(page).toHaveURL(/\/p\/demo\/consumers$/);
  await shot(page, "consumers-list");
  await page.getByRole("link", { name: "eta_model", exact: true }).click();
  await expect(page).toHaveURL(/\/p\/demo\/consumers\/eta_model$/);
  await expect(page.getByTestId("object-name")).toHaveText("eta_model");
  await expect(page.locator("#definition").getByRole("link", { name: "driver_activity" })).toBeVisible();
  await expect(page.locator("#definition").getByRole("link", { name: "eta_training" })).toBeVisible();
  await expectLineage(page);
  await expectOnlineValues(page.getByTestId("online-preview"), false);
  await expectSnippet(page, ['"feature_service": "driver_activity"']);
  await shot(page, "consumer");
});

// Each object page checks its object in a layout no loading boundary encloses: the answer is a
// real 404, not a not-found page streamed with 200.
test("unknown objects answer 404 with the not-found page", async ({ page }) => {
  for (const path of [
    "/p/demo/entities/no_such_entity",
    "/p/demo/sources/no_such_source",
    "/p/demo/views/no_such_view",
    "/p/demo/services/no_such_service",
    "/p/demo/consumers/no_such_consumer",
    "/p/demo/datasets/no_such_dataset",
    "/p/demo/features/driver_hourly_stats/no_such_feature",
    "/p/demo/features/no_such_view/conv_rate",
    "/p/demo/entities/Not-A-Name",
    "/p/demo/services/no_such_service/edit",
  ]) {
    const res = await page.goto(path);
    expect(res?.status(), path).toBe(404);
    await expect(page.getByText("Page not found"), path).toBeVisible();
  }
  // Known objects still answer 200.
  expect((await page.goto("/p/demo/entities/driver"))?.status()).toBe(200);
});

test("a viewer sees definitions, columns and an example snippet, but no values", async ({
  page,
  browser,
}) => {
  const viewer = {
    name: "Object Viewer",
    email: `objviewer_${stamp}@e2e.quiver.test`,
    password: `temp-pw-${stamp}`,
  };
  await trpcMutate(page, "access.createUser", { project: "demo", role: "viewer", ...viewer });
  const context = await browser.newContext({ storageState: undefined });
  try {
    const v = await context.newPage();
    await v.goto("/login");
    await v.getByLabel("Email").fill(viewer.email);
    await v.getByLabel("Password").fill(viewer.password);
    await v.getByRole("button", { name: "Sign in" }).click();
    await expect(v.getByTestId("signed-in-as")).toHaveText(viewer.email);
    await v.goto("/p/demo/sources/driver_stats_source");
    await expect(v.getByTestId("source-columns")).toContainText("timestamp with time zone");
    await expect(v.getByTestId("offline-preview")).toContainText("Offline rows are feature values");
    await expect(v.getByTestId("offline-preview").getByTestId("preview-row")).toHaveCount(0);
    await expect(v.getByTestId("online-preview")).toContainText("Online values need the consumer role");
    await expect(v.getByTestId("fetch-snippet")).toContainText("The key values are examples.");
    await expect(v.getByTestId("fetch-snippet")).toContainText('"driver_id": [1001, 1002]');
    await expectLineage(v);
    await v.screenshot({ path: `${SHOTS}/object-source-viewer-1440.png`, fullPage: true });
    // Forced through the API anyway: the server refuses the rows.
    const q = encodeURIComponent(JSON.stringify({ json: { project: "demo", name: "driver_stats_source" } }));
    const res = await v.request.get(`/api/trpc/sources.preview?input=${q}`);
    expect(res.status()).toBe(403);
  } finally {
    await context.close();
  }
});
