import fs from "node:fs";
import { expect, type Locator, type Page, request as playwrightRequest, test } from "@playwright/test";

/**
 * A feature view's Usage panel: a real get-online-features call with an API key shows up there
 * (the serving process counts it and writes it in the background), and a view nobody read says so.
 */

const SHOTS = "/tmp/quiver-shots";
const stamp = Date.now().toString(36);
const KEY_NAME = `usage-e2e-${stamp}`;
const UNREAD_VIEW = `usage_unread_${stamp}`;

async function mutate(page: Page, path: string, input: unknown) {
  const res = await page.request.post(`/api/trpc/${path}`, { data: { json: input } });
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as { result: { data: { json: unknown } } }).result.data.json;
}

/**
 * The panel fits its column at 390 px. (The page as a whole does not yet: the project shell keeps
 * its 240 px sidebar on a phone, and the view page's header and materialization table overflow.)
 */
async function expectFits(panel: Locator) {
  await expect.poll(() => panel.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
}

test("an API key's lookup appears in the view's Usage panel, named with its prefix", async ({
  page,
  baseURL,
}) => {
  fs.mkdirSync(SHOTS, { recursive: true });
  const made = (await mutate(page, "access.keys.create", {
    project: "demo",
    name: KEY_NAME,
    role: "consumer",
  })) as {
    key: string;
  };

  // A machine with no session: only the key speaks for it. Three entity rows in one lookup.
  const machine = await playwrightRequest.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
  try {
    const res = await machine.post("/api/v1/get-online-features", {
      headers: { authorization: `Bearer ${made.key}` },
      data: {
        project: "demo",
        features: ["driver_hourly_stats:conv_rate", "driver_hourly_stats:acc_rate"],
        entities: { driver_id: [1001, 1002, 1003] },
      },
    });
    expect(res.status()).toBe(200);
  } finally {
    await machine.dispose();
  }

  // The count reaches Postgres with the serving process's next background flush: ask the usage
  // operation the panel reads until it lists the key, then load the page once. (Reloading the page
  // with a short wait per load failed on a busy machine, where the panel alone took longer.)
  const input = encodeURIComponent(
    JSON.stringify({ json: { project: "demo", name: "driver_hourly_stats" } }),
  );
  await expect
    .poll(async () => (await page.request.get(`/api/trpc/featureViews.usage?input=${input}`)).text(), {
      timeout: 60_000,
    })
    .toContain(KEY_NAME);
  await page.goto("/p/demo/views/driver_hourly_stats");
  const usage = page.getByRole("region", { name: "Usage" });
  const reader = usage.getByTestId("usage-reader").filter({ hasText: KEY_NAME });
  await expect(reader).toBeVisible();
  await expect(reader).toContainText(made.key.slice(0, 12));
  const cells = reader.getByRole("cell");
  await expect(cells.nth(2)).toHaveText("1");
  await expect(cells.nth(3)).toHaveText("3");
  await expect(usage.getByTestId("usage-last-read")).toContainText(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
  const today = new Date().toISOString().slice(0, 10);
  await expect(usage.getByRole("img", { name: /^Reads per day, 30 days, / })).toHaveAccessibleName(
    new RegExp(`to ${today} \\(UTC\\)`),
  );
  await expect(usage.getByRole("table", { name: "Readers of this view" })).toBeVisible();
  // The demo's model reads the view through its feature service.
  await expect(usage).toContainText("eta_model");
  await usage.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/usage-data-desktop.png`, fullPage: true });

  await page.setViewportSize({ width: 390, height: 844 });
  await expect(reader).toBeVisible();
  await expectFits(usage);
  await usage.screenshot({ path: `${SHOTS}/usage-data-390.png` });
});

test("a view nobody has read says so and how reads are counted", async ({ page }) => {
  await mutate(page, "featureViews.create", {
    project: "demo",
    spec: {
      name: UNREAD_VIEW,
      entities: ["customer"],
      source: "customer_profile_source",
      ttlSeconds: 0,
      fields: [{ name: "current_balance", dtype: "float64" }],
    },
  });
  await page.goto(`/p/demo/views/${UNREAD_VIEW}`);
  const usage = page.getByRole("region", { name: "Usage" });
  await expect(usage.getByText("No reads recorded yet")).toBeVisible();
  await expect(usage).toContainText("get-online-features");
  await expect(usage).toContainText(
    "No consumer in the registry reads a feature service that includes this view.",
  );
  await page.screenshot({ path: `${SHOTS}/usage-empty-desktop.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(usage.getByText("No reads recorded yet")).toBeVisible();
  await expectFits(usage);
  await usage.screenshot({ path: `${SHOTS}/usage-empty-390.png` });
});
