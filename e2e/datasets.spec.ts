import fs from "node:fs";
import { type Browser, expect, type Page, test } from "@playwright/test";

/**
 * Saved datasets as people meet them: an editor builds one from the demo's feature service and an
 * uploaded CSV of entity rows (preview first, then save), waits for the build, reads the null rates
 * and downloads the CSV; a viewer sees the list but no way to build, and no rows.
 *
 * The entity rows are written here by hand so the expected result is known without the code under
 * test: six rows inside the demo's data (the last 15 days; drivers 1001-1050, customers 2001-2050),
 * one before all data and one with keys the demo does not have. Every feature is therefore null in
 * exactly 2 of 8 rows: 25%.
 */
const stamp = Date.now().toString(36);
const NAME = `eta_rows_${stamp}`;
const SHOTS = "/tmp/quiver-shots";
const DAY = 86_400_000;

const EDITOR = {
  name: "E2E Dataset Editor",
  email: `ds_editor_${stamp}@e2e.quiver.test`,
  password: `pw-editor-${stamp}`,
};
const VIEWER = {
  name: "E2E Dataset Viewer",
  email: `ds_viewer_${stamp}@e2e.quiver.test`,
  password: `pw-viewer-${stamp}`,
};

const FEATURES = [
  "conv_rate",
  "acc_rate",
  "avg_daily_trips",
  "current_balance",
  "avg_passenger_count",
  "lifetime_trip_count",
];
const COLUMNS = ["driver_id", "customer_id", "event_timestamp", ...FEATURES];

/** A time n days ago, to the second, as the CSV writes it. */
const daysAgo = (n: number) => new Date(Date.now() - n * DAY).toISOString().replace(/\.\d{3}Z$/, "Z");

const ENTITY_ROWS: [number, number, string][] = [
  ...[1, 2, 3, 4, 5, 6].map((n): [number, number, string] => [1000 + n, 2000 + n, daysAgo(n)]),
  [1001, 2001, daysAgo(40)], // before the demo's data
  [9999, 9999, daysAgo(1)], // keys the demo does not have
];
const CSV = `driver_id,customer_id,event_timestamp\n${ENTITY_ROWS.map((r) => r.join(",")).join("\n")}\n`;

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

/** The owner makes a member of demo with a role (Settings' Create account, through its API). */
async function makeMember(owner: Page, person: typeof EDITOR, role: "editor" | "viewer") {
  const made = await owner.request.post("/api/trpc/access.createUser", {
    data: { json: { project: "demo", role, ...person } },
  });
  expect(made.status(), await made.text()).toBe(200);
}

/** The page, once settled, scrolls up and down only: nothing makes it wider than the window. */
async function expectNoSidewaysScroll(page: Page) {
  await expect
    .poll(() => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth))
    .toBeLessThanOrEqual(0);
}

test.describe.configure({ mode: "serial" });

test("an editor previews, saves and builds a dataset, reads its null rates and downloads it", async ({
  page,
  browser,
}) => {
  fs.mkdirSync(SHOTS, { recursive: true });
  await makeMember(page, EDITOR, "editor");
  const { context, page: editor } = await signIn(browser, EDITOR.email, EDITOR.password);
  try {
    await editor.goto("/p/demo/features");
    await editor
      .getByRole("navigation", { name: "Sections" })
      .getByRole("link", { name: "Datasets" })
      .click();
    await expect(editor).toHaveURL(/\/p\/demo\/datasets$/);
    await expect(editor.getByRole("heading", { name: "Datasets", level: 1 })).toBeVisible();
    await editor.screenshot({ path: `${SHOTS}/datasets-list-before.png`, fullPage: true });
    await editor.getByTestId("new-dataset").first().click();
    await expect(editor).toHaveURL(/\/p\/demo\/datasets\/new$/);

    const form = editor.getByRole("form", { name: "New dataset" });
    await form.getByRole("combobox", { name: "Feature service" }).selectOption("driver_activity");

    // A file of the wrong kind is refused, naming the file and the problem.
    const file = form.getByTestId("entity-file");
    await file.setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("hello") });
    await expect(form.getByText("notes.txt: choose a .csv or .parquet file")).toBeVisible();

    // A CSV without event_timestamp is refused by the server, which says what is missing.
    await file.setInputFiles({
      name: "no_times.csv",
      mimeType: "text/csv",
      buffer: Buffer.from("driver_id,customer_id\n1001,2001\n"),
    });
    await expect(form.getByText(/no_times\.csv: .*no "event_timestamp" column/)).toBeVisible();

    await file.setInputFiles({ name: "entities.csv", mimeType: "text/csv", buffer: Buffer.from(CSV) });
    const summary = form.getByTestId("upload-summary");
    await expect(summary).toContainText("entities.csv");
    await expect(summary.getByTestId("upload-rows")).toHaveText("8 rows");
    await expect(summary).toContainText("driver_id, customer_id, event_timestamp");

    // Saving without a name is stopped in the browser, next to the name.
    await form.getByTestId("save-dataset").click();
    await expect(form.getByText("Required", { exact: true })).toBeVisible();

    await form.getByTestId("preview-button").click();
    const preview = form.getByTestId("draft-preview");
    await expect(preview.getByTestId("rows-table-row")).toHaveCount(ENTITY_ROWS.length);
    for (const c of COLUMNS)
      await expect(preview.getByRole("columnheader", { name: c, exact: true })).toBeVisible();
    // The two rows without data show their features as dimmed nulls.
    await expect(preview.getByRole("cell", { name: "null", exact: true })).toHaveCount(2 * FEATURES.length);
    await editor.screenshot({ path: `${SHOTS}/datasets-new-preview.png`, fullPage: true });

    await form.getByRole("textbox", { name: "Name" }).fill(NAME);
    await form.getByRole("textbox", { name: "Description" }).fill("ETA model rows written by the e2e test.");
    await form.getByTestId("save-dataset").click();
    await expect(editor).toHaveURL(new RegExp(`/p/demo/datasets/${NAME}$`));
    await expect(editor.getByRole("heading", { name: NAME })).toBeVisible();

    // The page follows the build by itself.
    await expect(editor.getByTestId("dataset-status")).toHaveText("ready", { timeout: 90_000 });
    await expect(editor.getByTestId("fact-rows")).toHaveText(String(ENTITY_ROWS.length));
    await expect(editor.getByTestId("rows-table-row")).toHaveCount(ENTITY_ROWS.length);
    const rates = editor.getByTestId("null-rate");
    await expect(rates).toHaveCount(FEATURES.length);
    for (const f of FEATURES) await expect(rates.filter({ hasText: f })).toContainText("25%");
    await expect(editor.getByText("Fetch the same data")).toBeVisible();
    await expect(editor.getByRole("tabpanel")).toContainText('"feature_service": "driver_activity"');
    await editor.getByRole("tab", { name: "Python" }).click();
    await expect(editor.getByRole("tabpanel")).toContainText("requests.post(");
    await editor.screenshot({ path: `${SHOTS}/datasets-detail-ready.png`, fullPage: true });

    const [download] = await Promise.all([
      editor.waitForEvent("download"),
      editor.getByTestId("download-csv").click(),
    ]);
    const text = fs.readFileSync(await download.path(), "utf8");
    const lines = text.split(/\r?\n/).filter((l) => l !== "");
    expect((lines[0] ?? "").split(",").sort()).toEqual([...COLUMNS].sort());
    expect(lines).toHaveLength(1 + ENTITY_ROWS.length);

    await editor.goto("/p/demo/datasets");
    const row = editor.locator(`[data-testid="dataset-row"][data-name="${NAME}"]`);
    await expect(row).toHaveAttribute("data-status", "ready");
    await expect(row).toContainText("driver_activity");
    await editor.screenshot({ path: `${SHOTS}/datasets-list.png`, fullPage: true });

    // A phone's width: the tables scroll inside their boxes, never the page.
    await editor.setViewportSize({ width: 390, height: 844 });
    await expectNoSidewaysScroll(editor);
    await editor.screenshot({ path: `${SHOTS}/datasets-list-390.png`, fullPage: true });
    await editor.goto(`/p/demo/datasets/${NAME}`);
    await expect(editor.getByTestId("rows-table-row")).toHaveCount(ENTITY_ROWS.length);
    await expectNoSidewaysScroll(editor);
    await editor.screenshot({ path: `${SHOTS}/datasets-detail-390.png`, fullPage: true });
    await editor.goto("/p/demo/datasets/new");
    await expect(editor.getByRole("form", { name: "New dataset" })).toBeVisible();
    await expectNoSidewaysScroll(editor);
    await editor.screenshot({ path: `${SHOTS}/datasets-new-390.png`, fullPage: true });
  } finally {
    await context.close();
  }
});

test("a viewer sees the datasets but no New button and no rows", async ({ page, browser }) => {
  await makeMember(page, VIEWER, "viewer");
  const { context, page: viewer } = await signIn(browser, VIEWER.email, VIEWER.password);
  try {
    await viewer.goto("/p/demo/datasets");
    await expect(viewer.locator(`[data-testid="dataset-row"][data-name="${NAME}"]`)).toBeVisible();
    await expect(viewer.getByTestId("new-dataset")).toHaveCount(0);

    await viewer.getByRole("link", { name: NAME }).click();
    await expect(viewer.getByRole("heading", { name: NAME })).toBeVisible();
    await expect(viewer.getByTestId("dataset-status")).toHaveText("ready");
    await expect(viewer.getByTestId("role-note")).toContainText("needs the consumer role");
    await expect(viewer.getByTestId("rows-table-row")).toHaveCount(0);
    await expect(viewer.getByTestId("download-csv")).toHaveCount(0);
    await expect(viewer.getByTestId("delete-dataset")).toHaveCount(0);
    await viewer.screenshot({ path: `${SHOTS}/datasets-detail-viewer.png`, fullPage: true });

    await viewer.goto("/p/demo/datasets/new");
    await expect(viewer.getByText("Building datasets needs the editor role")).toBeVisible();
    await expect(viewer.getByRole("form", { name: "New dataset" })).toHaveCount(0);

    // The server refuses the rows to the viewer whatever the page shows.
    const rows = await context.request.get(
      `/api/trpc/datasets.preview?input=${encodeURIComponent(JSON.stringify({ json: { project: "demo", name: NAME } }))}`,
    );
    expect(rows.status()).toBe(403);
  } finally {
    await context.close();
  }
});
