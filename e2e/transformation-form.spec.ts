import { expect, type Page, test } from "@playwright/test";

/**
 * The transformation form (docs/adr/0038-sql-editor.md): SQL typed into the CodeMirror editor,
 * completion of the project's sources, a preview of the unsaved SQL (rows, inferred columns, time),
 * errors placed where the server says, create, edit with the base version, and a stale edit's 409.
 * The object page is helper "txpage"'s: save is checked by its URL and through the API.
 */
const NAME = `trips_x2_${Date.now().toString(36)}`;

test.describe.configure({ mode: "serial" });

async function get(
  page: Page,
  name: string,
): Promise<{ currentVersion: number; sql: string; description: string }> {
  const input = encodeURIComponent(JSON.stringify({ json: { project: "demo", name } }));
  const res = await page.request.get(`/api/trpc/transformations.get?input=${input}`);
  expect(res.status(), await res.text()).toBe(200);
  return (
    (await res.json()) as {
      result: { data: { json: { currentVersion: number; sql: string; description: string } } };
    }
  ).result.data.json;
}

function editor(page: Page) {
  return page.getByRole("textbox", { name: "SQL", exact: true });
}

test("completion of sources, and errors underlined where the server says", async ({ page }) => {
  await page.goto("/p/demo/transformations/new");
  await expect(page.getByRole("heading", { name: "New transformation" })).toBeVisible();
  const sql = editor(page);
  await expect(sql).toBeVisible();

  // Completion offers the project's sources by name.
  await sql.click();
  await page.keyboard.type("select * from driver_st");
  await expect(page.locator(".cm-tooltip-autocomplete")).toContainText("driver_stats_source");
  await page.keyboard.press("Escape");

  // An unknown source is named, and underlined where it stands.
  await sql.fill("select driver_id, event_timestamp from nope_source");
  await page.getByRole("button", { name: "Preview" }).click();
  const problem = page.getByTestId("preview-error");
  await expect(problem).toContainText('"nope_source" is not a data source of this project');
  await expect(problem).toContainText("line 1, column 40");
  await expect(page.locator(".cm-sql-error")).toHaveText("nope_source");

  // A syntax error, run with Ctrl+Enter from the editor, is underlined at the bad token.
  await sql.fill("select driver_id,\n  , event_timestamp from driver_stats_source");
  await sql.press("Control+Enter");
  await expect(problem).toContainText(/syntax error at or near ","/i);
  await expect(problem).toContainText("line 2, column 3");
  await expect(page.locator(".cm-sql-error")).toHaveText(",");
});

test("create: the unsaved SQL previews its first 100 rows, then saves", async ({ page }) => {
  await page.goto("/p/demo/transformations/new");
  const sql = editor(page);
  const problem = page.getByTestId("preview-error");

  // The SQL as typed (never saved) previews: its first 100 rows, inferred columns and the time.
  await sql.fill(
    "select driver_id, event_timestamp, conv_rate * 2 as conv_rate_x2\nfrom driver_stats_source",
  );
  await page.getByRole("button", { name: "Preview" }).click();
  const preview = page.getByTestId("preview");
  await expect(preview).toContainText("100 rows (the first 100)");
  await expect(preview.getByRole("list", { name: "Inferred columns" })).toContainText("conv_rate_x2");
  await expect(preview.getByTestId("preview-time")).toHaveText(/^took \d/);
  await expect(preview.getByTestId("preview-table").locator("tbody tr")).toHaveCount(100);
  await expect(problem).toBeHidden();
  await expect(page.locator(".cm-sql-error")).toHaveCount(0);

  // The only time column became the event time, chosen from the preview's columns.
  await expect(page.getByLabel("Event-time column")).toHaveValue("event_timestamp");

  await page.getByRole("textbox", { name: "Name", exact: true }).fill(NAME);
  await page.getByLabel("Owner").fill("e2e");
  await page.getByRole("button", { name: "Create transformation" }).click();
  await expect(page).toHaveURL(new RegExp(`/p/demo/transformations/${NAME}$`));
  const saved = await get(page, NAME);
  expect(saved.currentVersion).toBe(1);
  expect(saved.sql).toContain("conv_rate * 2 as conv_rate_x2");
});

test("a name taken by a source is refused before anything is sent", async ({ page }) => {
  await page.goto("/p/demo/transformations/new");
  await editor(page).fill("select driver_id, event_timestamp from driver_stats_source");
  await page.getByRole("textbox", { name: "Name", exact: true }).fill("driver_stats_source");
  await page.getByLabel("Event-time column").fill("event_timestamp");
  await page.getByRole("button", { name: "Create transformation" }).click();
  await expect(page.getByText(/is taken: a transformation's output source is named after it/)).toBeVisible();
  await expect(page).toHaveURL(/\/transformations\/new$/);
});

test("edit saves the next version", async ({ page }) => {
  await page.goto(`/p/demo/transformations/${NAME}/edit`);
  await expect(page.getByText("from v1")).toBeVisible();
  await expect(editor(page)).toContainText("conv_rate_x2");
  await expect(page.getByRole("textbox", { name: "Name", exact: true })).toBeDisabled();
  await page.getByLabel("Description").fill("Twice the conversion rate, for the e2e test.");
  await page.getByRole("button", { name: "Save new version" }).click();
  await expect(page).toHaveURL(new RegExp(`/p/demo/transformations/${NAME}$`));
  const saved = await get(page, NAME);
  expect(saved.currentVersion).toBe(2);
  expect(saved.description).toBe("Twice the conversion rate, for the e2e test.");
});

test("a stale edit is a 409 with a banner that loads the current version", async ({ page }) => {
  await page.goto(`/p/demo/transformations/${NAME}/edit`);
  await expect(page.getByText("from v2")).toBeVisible();

  // Someone else saves version 3 meanwhile.
  const current = await get(page, NAME);
  const res = await page.request.post("/api/trpc/transformations.update", {
    headers: { "content-type": "application/json" },
    data: JSON.stringify({
      json: {
        project: "demo",
        version: 2,
        spec: {
          name: NAME,
          sql: current.sql,
          eventTimestampColumn: "event_timestamp",
          owner: "someone else",
        },
      },
    }),
  });
  expect(res.status(), await res.text()).toBe(200);

  await page.getByLabel("Description").fill("My edit, made on version 2.");
  await page.getByRole("button", { name: "Save new version" }).click();
  const conflict = page.getByTestId("version-conflict");
  await expect(conflict).toContainText("Someone saved this transformation while you were editing it");
  await expect(conflict).toContainText("is at version 3, not 2");
  expect((await get(page, NAME)).currentVersion).toBe(3);

  await conflict.getByRole("button", { name: "Load the current version" }).click();
  await expect(page.getByText("from v3")).toBeVisible();
  await expect(page.getByLabel("Owner")).toHaveValue("someone else");
  await page.getByRole("button", { name: "Save new version" }).click();
  await expect(page).toHaveURL(new RegExp(`/p/demo/transformations/${NAME}$`));
  expect((await get(page, NAME)).currentVersion).toBe(4);
});

test("an unknown name's edit form is a 404", async ({ page }) => {
  const res = await page.goto("/p/demo/transformations/no_such_transformation/edit");
  expect(res?.status()).toBe(404);
});
