import fs from "node:fs";
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";

/**
 * Batch transformation pages (docs/adr/0035-batch-transformations.md) on the demo's
 * driver_stats_7d and on one this spec registers through the API: the list, the object page (SQL,
 * output columns, column lineage, runs), a real run waited on through the page's own status, the
 * backfill dialog's checks, versions and their diff, delete (refused while a view reads the
 * output), a viewer's page without Run, and the pages' layout and axe checks in both colour modes.
 */

const SHOTS = "/tmp/shots/txpage";
const stamp = Date.now().toString(36);
const DEMO = "driver_stats_7d";

async function trpcMutate(page: Page, path: string, input: unknown) {
  const res = await page.request.post(`/api/trpc/${path}`, { data: { json: input } });
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as { result: { data: { json: unknown } } }).result.data.json;
}

async function shot(page: Page, name: string) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

/** The run ids the page lists now. */
async function runIds(page: Page): Promise<string[]> {
  return page
    .getByTestId("tx-run-row")
    .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-run-id") ?? ""));
}

test("the list shows the demo's transformation with its output source, version and last run", async ({
  page,
}) => {
  await page.goto("/p/demo/transformations");
  await expect(page.getByRole("heading", { name: "Transformations", level: 1 })).toBeVisible();
  const row = page.getByTestId(`transformation-row-${DEMO}`);
  await expect(row).toBeVisible();
  await expect(row).toContainText("postgres");
  await expect(row).toContainText("v1");
  // The demo ran it once at seeding.
  await expect(row).toContainText("succeeded");
  await expect(row.getByRole("link", { name: DEMO }).last()).toHaveAttribute(
    "href",
    `/p/demo/sources/${DEMO}`,
  );
  await expect(page.getByRole("link", { name: "New transformation" })).toHaveAttribute(
    "href",
    "/p/demo/transformations/new",
  );
  await shot(page, "list-1440-light");
  await row.getByRole("link", { name: DEMO }).first().click();
  await expect(page).toHaveURL(`/p/demo/transformations/${DEMO}`);
  await expect(page.getByTestId("object-name")).toHaveText(DEMO);
});

test("the page shows the SQL highlighted, the output columns with their lineage, and the readers", async ({
  page,
}) => {
  await page.goto(`/p/demo/transformations/${DEMO}`);
  const sql = page.getByTestId("sql-view");
  await expect(sql).toContainText("FROM driver_stats_source");
  // CodeMirror took over: read-only, with highlighted keywords.
  await expect(sql).toHaveAttribute("data-highlighted", "true");
  const editor = sql.getByRole("textbox", { name: `SQL of ${DEMO} v1` });
  await expect(editor).toHaveAttribute("contenteditable", "false");
  await expect(editor).toHaveAttribute("aria-readonly", "true");

  const columns = page.getByTestId("output-columns");
  const hours = columns.getByTestId("output-column-hours_reported_7d");
  await expect(hours).toContainText("bigint");
  // count(*) OVER (PARTITION BY driver_id ORDER BY event_timestamp …): from those two columns.
  await expect(hours.getByRole("link", { name: "driver_stats_source.driver_id" })).toHaveAttribute(
    "href",
    "/p/demo/sources/driver_stats_source#columns",
  );
  await expect(hours.getByRole("link", { name: "driver_stats_source.event_timestamp" })).toBeVisible();
  await expect(
    columns.getByTestId("output-column-conv_rate_7d_avg").getByRole("link", {
      name: "driver_stats_source.conv_rate",
    }),
  ).toBeVisible();
  await expect(columns.getByTestId("output-column-event_timestamp")).toContainText("event time");

  await expect(page.getByTestId("incremental-rule")).toContainText("incremental");
  await expect(page.getByTestId("watermark")).toContainText("UTC");
  await expect(
    page.getByRole("table", { name: "Feature views reading its output" }).getByRole("link", { name: DEMO }),
  ).toHaveAttribute("href", `/p/demo/views/${DEMO}`);
  await expect(page.getByTestId("object-lineage")).toBeVisible();
  await expect(page.getByRole("link", { name: "Edit" })).toHaveAttribute(
    "href",
    `/p/demo/transformations/${DEMO}/edit`,
  );
  await shot(page, "page-1440-light");
});

test("Run starts a run that the page follows until it succeeds", async ({ page }) => {
  await page.goto(`/p/demo/transformations/${DEMO}`);
  const runs = page.getByTestId("transformation-runs");
  await expect(runs.getByTestId("tx-run-row").first()).toBeVisible();
  const before = await runIds(page);
  await page.getByTestId("run-transformation").click();
  // The new run appears and the page polls it to the end, with no reload.
  await expect.poll(async () => (await runIds(page)).filter((id) => !before.includes(id)).length).toBe(1);
  const id = (await runIds(page)).find((r) => !before.includes(r)) as string;
  const row = runs.locator(`[data-run-id="${id}"]`);
  await expect(row).toHaveAttribute("data-status", "succeeded", { timeout: 90_000 });
  // The demo's first run was a full refresh of version 1: this one is incremental from its watermark.
  await expect(row).toHaveAttribute("data-mode", "incremental");
  await shot(page, "page-after-run-1440-light");
});

test("Backfill checks its window before starting, and names the field", async ({ page }) => {
  await page.goto(`/p/demo/transformations/${DEMO}`);
  await page.getByTestId("backfill-transformation").click();
  const form = page.getByRole("form", { name: `Backfill ${DEMO}` });
  await form.getByLabel("Start (UTC)").fill("2026-11-08T00:00");
  await form.getByLabel("End (UTC)").fill("2026-11-01T00:00");
  await form.getByRole("button", { name: "Start backfill" }).click();
  await expect(form.getByText("The start must be before the end")).toBeVisible();
  await expect(form.getByLabel("Start (UTC)")).toHaveAttribute("aria-invalid", "true");
  await form.getByLabel("End (UTC)").fill("2099-01-01T00:00");
  await form.getByLabel("Start (UTC)").fill("2026-11-01T00:00");
  await form.getByRole("button", { name: "Start backfill" }).click();
  await expect(form.getByText("The end is in the future")).toBeVisible();
  await shot(page, "backfill-error-1440-light");

  // A valid past window starts a backfill run, listed with its window.
  const before = await runIds(page);
  await form.getByLabel("End (UTC)").fill("2026-11-08T00:00");
  await form.getByRole("button", { name: "Start backfill" }).click();
  await expect(form).toHaveCount(0);
  await expect.poll(async () => (await runIds(page)).filter((id) => !before.includes(id)).length).toBe(1);
  const id = (await runIds(page)).find((r) => !before.includes(r)) as string;
  const row = page.locator(`[data-testid=tx-run-row][data-run-id="${id}"]`);
  await expect(row).toHaveAttribute("data-mode", "backfill");
  await expect(row).toContainText("2026-11-01 00:00");
  await expect(row).toHaveAttribute("data-status", "succeeded", { timeout: 90_000 });
});

test("delete is refused while a feature view reads the output, with the server's reason", async ({
  page,
}) => {
  await page.goto(`/p/demo/transformations/${DEMO}`);
  await page.getByRole("button", { name: `Delete ${DEMO}` }).click();
  const form = page.getByRole("form", { name: `Delete ${DEMO}` });
  await form.getByLabel(`Type ${DEMO} to confirm`).fill(DEMO);
  await form.getByRole("button", { name: "Delete" }).click();
  await expect(form.getByTestId("delete-refused")).toContainText(`feature view(s) "${DEMO}" read its output`);
  await shot(page, "delete-refused-1440-light");
});

test("versions list an update made through the API, and the diff shows what changed", async ({ page }) => {
  const name = `tx_e2e_${stamp}`;
  const sql = "SELECT driver_id, event_timestamp, conv_rate\nFROM driver_stats_source";
  await trpcMutate(page, "transformations.create", {
    project: "demo",
    spec: { name, sql, eventTimestampColumn: "event_timestamp", owner: "e2e" },
  });
  // Version 2 through the REST door, as a script would.
  const res = await page.request.post("/api/v1/ops/transformations.update", {
    data: {
      project: "demo",
      version: 1,
      spec: {
        name,
        sql: "SELECT driver_id, event_timestamp, conv_rate, acc_rate\nFROM driver_stats_source\nWHERE driver_id > 0",
        eventTimestampColumn: "event_timestamp",
        owner: "e2e",
        description: "with acceptance rate",
      },
    },
  });
  expect(res.status(), await res.text()).toBe(200);

  await page.goto(`/p/demo/transformations/${name}`);
  await expect(page.getByTestId("object-name")).toHaveText(name);
  const versions = page.locator("#versions");
  await expect(versions.getByRole("row", { name: /^v2 current/ })).toBeVisible();
  await expect(versions.getByRole("row", { name: /^v1 / })).toBeVisible();
  await versions.getByRole("button", { name: "Changes from v1" }).click();
  await expect(page).toHaveURL(/from=1&to=2/);
  const diff = page.getByTestId("transformation-diff");
  const sqlDiff = diff.getByTestId("sql-diff");
  await expect(sqlDiff.locator("tr[data-kind=removed]")).toContainText([
    "SELECT driver_id, event_timestamp, conv_rate",
  ]);
  await expect(sqlDiff.locator("tr[data-kind=added]")).toContainText([
    "SELECT driver_id, event_timestamp, conv_rate, acc_rate",
    "WHERE driver_id > 0",
  ]);
  await expect(diff.getByTestId("diff-columns")).toContainText("added");
  await expect(diff.getByTestId("diff-columns")).toContainText("acc_rate");
  await expect(diff).toContainText(/description/i);
  await shot(page, "diff-1440-light");

  // A past version: its own SQL and a way back.
  await versions.getByRole("row", { name: /^v1 / }).getByRole("link", { name: "View" }).click();
  await expect(page).toHaveURL(/version=1/);
  await expect(page.getByText("You are looking at version 1")).toBeVisible();
  await expect(page.getByTestId("sql-view")).not.toContainText("acc_rate");

  // Nothing reads this one: delete goes through, back to the list.
  await page.goto(`/p/demo/transformations/${name}`);
  await page.getByRole("button", { name: `Delete ${name}` }).click();
  const form = page.getByRole("form", { name: `Delete ${name}` });
  await form.getByLabel(`Type ${name} to confirm`).fill(name);
  await form.getByRole("button", { name: "Delete" }).click();
  await expect(page).toHaveURL("/p/demo/transformations");
  await expect(page.getByTestId(`transformation-row-${name}`)).toHaveCount(0);
  expect((await page.goto(`/p/demo/transformations/${name}`))?.status()).toBe(404);
});

test("an unknown transformation is a 404", async ({ page }) => {
  expect((await page.goto("/p/demo/transformations/no_such_transformation"))?.status()).toBe(404);
});

test("a viewer sees the page but no Run, Backfill, Edit or Delete", async ({ page, browser }) => {
  const viewer = {
    name: "Tx Viewer",
    email: `txviewer_${stamp}@e2e.quiver.test`,
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
    await v.goto(`/p/demo/transformations/${DEMO}`);
    await expect(v.getByTestId("sql-view")).toContainText("FROM driver_stats_source");
    await expect(v.getByTestId("tx-run-row").first()).toBeVisible();
    await expect(v.getByTestId("run-transformation")).toHaveCount(0);
    await expect(v.getByTestId("backfill-transformation")).toHaveCount(0);
    await expect(v.getByTestId("edit-transformation")).toHaveCount(0);
    await expect(v.getByRole("button", { name: `Delete ${DEMO}` })).toHaveCount(0);
    await v.goto("/p/demo/transformations");
    await expect(v.getByTestId(`transformation-row-${DEMO}`)).toBeVisible();
    await expect(v.getByRole("link", { name: "New transformation" })).toHaveCount(0);
  } finally {
    await context.close();
  }
});

test("list and page: no serious axe violation and no sideways scroll, light and dark, 1440 and 390 px", async ({
  page,
}) => {
  // Two pages × two modes × two widths, each with an axe run and a full-page screenshot.
  test.setTimeout(600_000);
  const problems: string[] = [];
  for (const mode of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: mode });
    for (const [slug, path] of [
      ["list", "/p/demo/transformations"],
      ["page", `/p/demo/transformations/${DEMO}`],
    ] as const) {
      await page.setViewportSize({ width: 1440, height: 900 });
      await page.goto(path);
      if (slug === "page")
        await expect(page.getByTestId("sql-view")).toHaveAttribute("data-highlighted", "true");
      for (const width of [1440, 390]) {
        await page.setViewportSize({ width, height: 900 });
        await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => done(null))));
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        if (overflow > 0) problems.push(`${mode} ${width}px ${path}: scrolls sideways by ${overflow}px`);
        const { violations } = await new AxeBuilder({ page }).analyze();
        for (const v of violations)
          if (v.impact === "serious" || v.impact === "critical")
            problems.push(
              `${mode} ${width}px ${path}: ${v.id} ×${v.nodes.length}: ${v.nodes
                .slice(0, 3)
                .map((n) => n.target.join(" "))
                .join(" | ")}`,
            );
        await shot(page, `${slug}-${width}-${mode}`);
      }
    }
  }
  expect(problems).toEqual([]);
});
