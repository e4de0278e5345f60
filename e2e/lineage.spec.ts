import { type Browser, expect, type Page, test } from "@playwright/test";

/**
 * The lineage page on the demo project: the summary without a focus, search within the graph,
 * selecting a node (side panel and its page link), growing the neighbourhood with a node's "+",
 * kind chips as filters, focus modes with back/forward, refocus by double-click and keyboard; a
 * viewer reads it too; an object page's lineage panel links to it; the transformation, on-demand
 * and stream views are nodes, and the side panel shows a column's source columns.
 */
const SHOTS = "/tmp/quiver-shots";
const stamp = Date.now().toString(36);

const node = (page: Page, name: RegExp) => page.getByTestId("lineage-graph").getByRole("group", { name });

test("lineage: search, select, expand, filter by kind, focus modes, back and refocus", async ({ page }) => {
  await page.goto("/p/demo/lineage");
  await expect(page.getByRole("region", { name: "Summary" })).toBeVisible();
  // Without a focus: the overview, features folded into view -> service edges.
  await expect(node(page, /^view driver_hourly_stats/)).toBeVisible();
  await expect(node(page, /^feature /)).toHaveCount(0);
  await page.screenshot({ path: `${SHOTS}/lineage-overview.png` });

  // Search within the graph, pick with the keyboard: the page focuses on it.
  const search = page.getByRole("combobox", { name: "Find a node in the lineage" });
  await search.fill("conv_r");
  await expect(page.getByRole("option", { name: /driver_hourly_stats:conv_rate/ })).toBeVisible();
  await search.press("Enter");
  await expect(page).toHaveURL(/focus=feature%3Adriver_hourly_stats%3Aconv_rate/);
  const panel = page.getByRole("complementary", { name: "Node details" });
  await expect(panel.getByRole("heading", { name: "driver_hourly_stats:conv_rate" })).toBeVisible();
  await expect(panel.getByRole("link", { name: /Open feature page/ })).toHaveAttribute(
    "href",
    "/p/demo/features/driver_hourly_stats/conv_rate",
  );

  // A click selects (the URL stays), the panel shows the view and links to its page.
  await node(page, /^view driver_hourly_stats/).click();
  await expect(panel.getByRole("heading", { name: "driver_hourly_stats", exact: true })).toBeVisible();
  await expect(panel.getByTestId("upstream-count")).toHaveText("2");
  await expect(panel.getByRole("link", { name: /Open view page/ })).toHaveAttribute(
    "href",
    "/p/demo/views/driver_hourly_stats",
  );
  await expect(page).toHaveURL(/focus=feature%3Adriver_hourly_stats%3Aconv_rate$/);
  await page.screenshot({ path: `${SHOTS}/lineage-focus-selected.png` });

  // The view's other features are not drawn; its "+" fetches its next hop.
  await expect(node(page, /^feature driver_hourly_stats:acc_rate/)).toHaveCount(0);
  await page
    .getByTestId("lineage-graph")
    .getByRole("button", { name: /^Expand \d+ more around view driver_hourly_stats$/ })
    .click();
  await expect(node(page, /^feature driver_hourly_stats:acc_rate/)).toBeVisible();

  // The kind chips are the legend and filter; the state is in the URL.
  const entities = page.getByRole("list", { name: "Kinds shown" }).getByRole("button", { name: /^Entities/ });
  await expect(entities).toHaveAttribute("aria-pressed", "true");
  await entities.click();
  await expect(entities).toHaveAttribute("aria-pressed", "false");
  await expect(page).toHaveURL(
    /kinds=source%2Ctransformation%2Cfeature_view%2Cstream_view%2Cfeature%2Con_demand_view%2Cfeature_service%2Cdataset%2Cconsumer/,
  );
  await expect(node(page, /^entity driver/)).toHaveCount(0);
  await expect(node(page, /^source driver_stats_source/)).toBeVisible();
  await entities.click();
  await expect(node(page, /^entity driver$/)).toBeVisible();

  // Focus modes.
  await page.getByRole("button", { name: "Upstream", exact: true }).click();
  await expect(page).toHaveURL(/dir=upstream/);
  await expect(node(page, /^source driver_stats_source/)).toBeVisible();
  await expect(node(page, /^service driver_activity/)).toHaveCount(0);
  await page.getByRole("button", { name: "Downstream", exact: true }).click();
  await expect(page).toHaveURL(/dir=downstream/);
  await expect(node(page, /^service driver_activity/)).toBeVisible();
  await expect(node(page, /^source /)).toHaveCount(0);
  await page.goBack();
  await expect(page).toHaveURL(/dir=upstream/);
  await expect(node(page, /^source driver_stats_source/)).toBeVisible();
  await page.goForward();
  await expect(page).toHaveURL(/dir=downstream/);
  await page.getByRole("button", { name: "Both", exact: true }).click();
  await expect(node(page, /^source driver_stats_source/)).toBeVisible();

  // Keyboard: a focused node selects with Enter, refocuses with Shift+Enter.
  const source = node(page, /^source driver_stats_source/);
  await source.focus();
  await source.press("Enter");
  await expect(panel.getByRole("heading", { name: "driver_stats_source" })).toBeVisible();
  await source.press("Shift+Enter");
  await expect(page).toHaveURL(/focus=source%3Adriver_stats_source/);
  await expect(node(page, /^source driver_stats_source, selected$/)).toBeVisible();

  // Double-click refocuses too.
  await node(page, /^view driver_hourly_stats/).dblclick();
  await expect(page).toHaveURL(/focus=feature_view%3Adriver_hourly_stats/);
  await expect(panel.getByRole("heading", { name: "driver_hourly_stats", exact: true })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/lineage-refocused.png` });
});

test("the engines: a transformation between its sources, on-demand and stream views, source columns", async ({
  page,
}) => {
  await page.goto("/p/demo/lineage?focus=transformation%3Adriver_stats_7d");
  await expect(node(page, /^transformation driver_stats_7d, selected$/)).toBeVisible();
  // source -> transformation -> output source, left to right.
  const input = await node(page, /^source driver_stats_source$/).boundingBox();
  const tx = await node(page, /^transformation driver_stats_7d/).boundingBox();
  const output = await node(page, /^source driver_stats_7d$/).boundingBox();
  if (!input || !tx || !output) throw new Error("a node has no box");
  expect(input.x + input.width).toBeLessThan(tx.x);
  expect(tx.x + tx.width).toBeLessThan(output.x);
  await expect(node(page, /^view driver_stats_7d$/)).toBeVisible();

  // The side panel lists each output column with its source columns and the features reading it.
  const panel = page.getByRole("complementary", { name: "Node details" });
  const columns = panel.getByTestId("column-lineage");
  await expect(columns.getByRole("listitem").filter({ hasText: "conv_rate_7d_avg" })).toContainText(
    "driver_stats_source.conv_rate",
  );
  await expect(panel.getByRole("link", { name: /Open transformation page/ })).toHaveAttribute(
    "href",
    "/p/demo/transformations/driver_stats_7d",
  );
  await page.screenshot({ path: `${SHOTS}/lineage-transformation.png` });
  // A feature named there selects its node: its column, then the source columns it starts from.
  await columns.getByRole("button", { name: "driver_stats_7d:conv_rate_7d_avg" }).click();
  await expect(panel.getByRole("heading", { name: "driver_stats_7d:conv_rate_7d_avg" })).toBeVisible();
  const origins = panel.getByTestId("column-origins");
  for (const column of ["conv_rate", "driver_id", "event_timestamp"])
    await expect(origins).toContainText(`driver_stats_source.${column}`);
  await expect(origins).not.toContainText("avg_daily_trips");

  // The on-demand view reads driver_hourly_stats' features and serves its own.
  await page.goto("/p/demo/lineage?focus=on_demand_view%3Adriver_scores");
  await expect(node(page, /^on-demand view driver_scores, selected$/)).toBeVisible();
  await expect(node(page, /^feature driver_hourly_stats:conv_rate/)).toBeVisible();
  await expect(node(page, /^feature driver_scores:boosted_conv_rate/)).toBeVisible();
  await expect(panel.getByRole("link", { name: /Open on-demand view page/ })).toHaveAttribute(
    "href",
    "/p/demo/on-demand/driver_scores",
  );

  // The stream view, keyed by its entity, with its stream on the node.
  await page.goto("/p/demo/lineage?focus=stream_view%3Adriver_trips_live");
  await expect(node(page, /^stream view driver_trips_live, selected$/)).toBeVisible();
  await expect(node(page, /^entity driver$/)).toBeVisible();
  await expect(node(page, /^feature driver_trips_live:trips_5m/)).toBeVisible();
  await expect(panel).toContainText("demo:trips");
  await page.screenshot({ path: `${SHOTS}/lineage-stream.png` });

  // The overview's chips count the new kinds.
  await page.goto("/p/demo/lineage");
  const chips = page.getByRole("list", { name: "Kinds shown" });
  await expect(chips.getByRole("button", { name: /^Transformations\s*1$/ })).toBeVisible();
  await expect(chips.getByRole("button", { name: /^On-demand views\s*1$/ })).toBeVisible();
  await expect(chips.getByRole("button", { name: /^Stream views\s*1$/ })).toBeVisible();
});

test("an unknown focus is named, and the operation answers 404 naming the node", async ({ page }) => {
  await page.goto("/p/demo/lineage?focus=feature_view:no_such_view");
  await expect(page.getByText("No node feature_view:no_such_view in this project's lineage")).toBeVisible();
  const res = await page.request.post("/api/v1/ops/lineage.neighborhood", {
    data: { project: "demo", nodeId: "feature_view:no_such_view" },
  });
  expect(res.status()).toBe(404);
  expect(await res.text()).toContain("feature_view:no_such_view");
  const bad = await page.request.post("/api/v1/ops/lineage.neighborhood", {
    data: { project: "demo", nodeId: "feature_view:driver_hourly_stats", limit: 100000 },
  });
  expect(bad.status()).toBe(400);
  expect(await bad.text()).toContain("limit");
});

test("a view's page shows its lineage panel, linking to the lineage page focused on it", async ({ page }) => {
  await page.goto("/p/demo/views/driver_hourly_stats");
  const panel = page.getByTestId("object-lineage");
  await expect(panel.getByRole("group", { name: /^view driver_hourly_stats/ })).toBeVisible();
  await expect(panel.getByRole("group", { name: /^source driver_stats_source/ })).toBeVisible();
  await page.getByRole("link", { name: "Open in lineage" }).click();
  await expect(page).toHaveURL(/\/p\/demo\/lineage\?focus=feature_view%3Adriver_hourly_stats$/);
  await expect(node(page, /^view driver_hourly_stats, selected$/)).toBeVisible();
});

test("a viewer reads the lineage", async ({ page, browser }) => {
  const viewer = {
    name: "E2E Lineage Viewer",
    email: `lineage_viewer_${stamp}@e2e.quiver.test`,
    password: `temp-pw-${stamp}`,
  };
  const made = await page.request.post("/api/trpc/access.createUser", {
    data: { json: { project: "demo", role: "viewer", ...viewer } },
  });
  expect(made.status(), await made.text()).toBe(200);
  const { context, page: reader } = await signIn(browser, viewer.email, viewer.password);
  try {
    await reader.goto("/p/demo/lineage?focus=feature_service:driver_activity");
    await expect(node(reader, /^service driver_activity, selected$/)).toBeVisible();
    await expect(reader.getByRole("complementary", { name: "Node details" })).toContainText(
      "driver_activity",
    );
  } finally {
    await context.close();
  }
});

async function signIn(browser: Browser, email: string, password: string) {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("signed-in-as")).toHaveText(email);
  return { context, page };
}
