import fs from "node:fs";
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";

/**
 * On-demand views in the demo project: the list, driver_scores's page, its Try it panel computing
 * boosted_conv_rate from the online store and the boost typed in (the expected value is read
 * through the API, not guessed), and the form: a type error lands on its expression, a valid view
 * lands on its page, an edit makes v2 whose diff shows the change, a stale edit shows the 409.
 */

const SHOTS = "/tmp/shots/odv";
const stamp = Date.now().toString(36);

async function trpcMutate(page: Page, path: string, input: unknown) {
  const res = await page.request.post(`/api/trpc/${path}`, { data: { json: input } });
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as { result: { data: { json: unknown } } }).result.data.json;
}

async function trpcQuery(page: Page, path: string, input: unknown) {
  const q = encodeURIComponent(JSON.stringify({ json: input }));
  const res = await page.request.get(`/api/trpc/${path}?input=${q}`);
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as { result: { data: { json: unknown } } }).result.data.json;
}

async function shot(page: Page, name: string) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

test.beforeAll(async ({ browser }) => {
  // The online store gets the demo's driver rows: a real materialization, waited on by its run.
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
        ((await trpcQuery(page, "jobs.get", { project: "demo", runId })) as { status?: string }).status,
      { timeout: 90_000 },
    )
    .toBe("succeeded");
  await page.close();
});

test("the list and driver_scores's page show its expressions, inputs and request fields", async ({
  page,
}) => {
  await page.goto("/p/demo/on-demand");
  await expect(page.getByRole("heading", { name: "On-demand views" })).toBeVisible();
  const row = page.getByRole("row", { name: /driver_scores/ });
  await expect(row).toContainText("boosted_conv_rate");
  await expect(row).toContainText("boost: float64");
  await expect(row).toContainText("v1");
  await shot(page, "list-1440");
  await row.getByRole("link", { name: "driver_scores" }).click();

  await expect(page).toHaveURL(/\/p\/demo\/on-demand\/driver_scores$/);
  await expect(page.getByTestId("object-name")).toHaveText("driver_scores");
  await expect(page.getByTestId("expression-boosted_conv_rate")).toHaveText(
    "driver_hourly_stats.conv_rate * request.boost",
  );
  const input = page
    .getByTestId("on-demand-inputs")
    .getByRole("link", { name: "driver_hourly_stats.conv_rate" });
  await expect(input).toHaveAttribute("href", "/p/demo/features/driver_hourly_stats/conv_rate");
  await expect(page.getByTestId("request-fields")).toContainText("request.boost");
  await expect(page.getByTestId("fetch-snippet")).toContainText('"request_context"');
  await expect(page.getByRole("heading", { name: "Versions" })).toBeVisible();
  await shot(page, "page-1440");
});

test("Try it computes boosted_conv_rate from the online value and the boost, and says why a value is null", async ({
  page,
}) => {
  // The expected value from the API: driver 1001's conv_rate as served, times the boost.
  const answer = (await trpcQuery(page, "serving.getOnlineFeatures", {
    project: "demo",
    features: ["driver_hourly_stats:conv_rate"],
    entities: { driver_id: [1001] },
  })) as { results: { values: unknown[]; statuses: string[] }[] };
  expect(answer.results[1]?.statuses[0]).toBe("PRESENT");
  const convRate = answer.results[1]?.values[0] as number;
  const expected = convRate * 2.5;

  await page.goto("/p/demo/on-demand/driver_scores");
  const tryIt = page.getByTestId("try-it");
  await tryIt.getByTestId("try-key-driver_id").fill("1001");
  await tryIt.getByTestId("try-request-boost").fill("2.5");
  await tryIt.getByTestId("try-run").click();
  await expect(tryIt.getByTestId("try-value-boosted_conv_rate")).toHaveText(String(expected));
  await expect(tryIt.getByTestId("try-value-driver_hourly_stats.conv_rate")).toHaveText(String(convRate));
  await shot(page, "try-it-1440");

  // A null boost: the value is NULL_VALUE and the reason from metadata.reasons is shown.
  await tryIt.getByTestId("try-request-boost").fill("null");
  await tryIt.getByTestId("try-run").click();
  await expect(tryIt.getByTestId("try-reasons")).toContainText("boosted_conv_rate (row 1, driver_id 1001)");
  await expect(tryIt.getByTestId("try-reasons")).toContainText("request.boost is null");
  await expect(tryIt.getByTestId("try-answer")).toContainText("NULL_VALUE");
});

test("the form: a type error lands on the expression, a valid view lands on its page, an edit makes v2 and its diff", async ({
  page,
}) => {
  const name = `odv_e2e_${stamp}`;
  await page.goto("/p/demo/on-demand/new");
  await page.getByRole("textbox", { name: "Name", exact: true }).fill(name);
  await page.getByRole("button", { name: "Add request field" }).click();
  await page.getByLabel("Request field 1 name").fill("boost");
  await page.getByLabel("Feature 1 name").fill("scaled");
  await page.getByLabel("Feature 1 type").selectOption("int64");
  // The inputs list writes view.feature into the expression.
  await page.getByTestId("expression-input-0").click();
  await page
    .getByTestId("available-inputs")
    .getByRole("button", { name: "driver_hourly_stats.conv_rate" })
    .click();
  await expect(page.getByTestId("expression-input-0")).toHaveValue("driver_hourly_stats.conv_rate");
  await page.getByTestId("expression-input-0").press("End");
  await page.getByTestId("expression-input-0").pressSequentially(" * request.boost");
  await page.getByRole("button", { name: "Create on-demand view" }).click();

  // conv_rate * boost is a double, the feature says int64: the checker's 400 is under the expression.
  const expression = page.getByTestId("expression-input-0");
  await expect(expression).toHaveAttribute("aria-invalid", "true");
  const error = page.locator(`[id="${await expression.getAttribute("id")}-error"]`);
  await expect(error).toContainText("int64");
  await shot(page, "form-type-error-1440");

  await page.getByLabel("Feature 1 type").selectOption("float64");
  await page.getByRole("button", { name: "Create on-demand view" }).click();
  await expect(page).toHaveURL(new RegExp(`/p/demo/on-demand/${name}$`));
  await expect(page.getByTestId(`expression-scaled`)).toHaveText(
    "driver_hourly_stats.conv_rate * request.boost",
  );

  // Edit: a new expression makes v2; the diff shows it.
  await page.getByTestId("edit-on-demand-view").click();
  await expect(page).toHaveURL(new RegExp(`/p/demo/on-demand/${name}/edit$`));
  await page.getByTestId("expression-input-0").fill("driver_hourly_stats.conv_rate * request.boost * 2.0");
  await page.getByRole("button", { name: "Save new version" }).click();
  await expect(page).toHaveURL(new RegExp(`/p/demo/on-demand/${name}$`));
  await expect(page.getByText("v2", { exact: true }).first()).toBeVisible();
  await page.getByRole("button", { name: "Changes from v1" }).click();
  const diff = page.getByTestId("version-diff");
  await expect(diff).toContainText("fields.scaled.expression");
  await expect(diff).toContainText("driver_hourly_stats.conv_rate * request.boost * 2.0");
  await shot(page, "diff-1440");
});

test("a stale edit shows the 409 in a banner", async ({ page }) => {
  // The form reads v1; someone else writes v2 meanwhile; saving the form is refused as stale.
  const name = `odv_stale_${stamp}`;
  const spec = {
    name,
    inputs: ["driver_hourly_stats:conv_rate"],
    requestFields: [{ name: "boost", dtype: "float64" }],
    fields: [
      { name: "scaled", dtype: "float64", expression: "driver_hourly_stats.conv_rate * request.boost" },
    ],
  };
  await trpcMutate(page, "onDemandViews.create", { project: "demo", spec });
  await page.goto(`/p/demo/on-demand/${name}/edit`);
  await expect(page.getByTestId("expression-input-0")).toHaveValue(
    "driver_hourly_stats.conv_rate * request.boost",
  );
  await trpcMutate(page, "onDemandViews.update", {
    project: "demo",
    baseVersion: 1,
    spec: { ...spec, description: "changed elsewhere" },
  });
  await page.getByRole("textbox", { name: "Description", exact: true }).fill("my change");
  await page.getByRole("button", { name: "Save new version" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "version 2" })).toBeVisible();
});

test("an unknown on-demand view is a 404", async ({ page }) => {
  const res = await page.goto("/p/demo/on-demand/no_such_view");
  expect(res?.status()).toBe(404);
});

for (const mode of ["light", "dark"] as const) {
  test(`the on-demand pages in ${mode} mode: no serious axe violation and no sideways scroll at 1440 and 390 px`, async ({
    page,
  }) => {
    // Eight loads with an axe run each, on a busy 2-core machine (a11y.spec.ts allows 15 min for all pages).
    test.setTimeout(600_000);
    await page.emulateMedia({ colorScheme: mode });
    const problems: string[] = [];
    for (const [label, path, ready] of [
      ["list", "/p/demo/on-demand", "driver_scores"],
      ["page", "/p/demo/on-demand/driver_scores", "Try it"],
      ["new", "/p/demo/on-demand/new", "Available inputs"],
      ["edit", "/p/demo/on-demand/driver_scores/edit", "Available inputs"],
    ] as const) {
      for (const width of [1440, 390]) {
        await page.setViewportSize({ width, height: 900 });
        await page.goto(path);
        await expect(page.getByText(ready, { exact: true }).first()).toBeVisible();
        await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => done(null))));
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        const found: string[] = [];
        if (overflow > 0) found.push(`${mode} ${width} ${path}: scrolls sideways by ${overflow}px`);
        const { violations } = await new AxeBuilder({ page }).analyze();
        for (const v of violations)
          if (v.impact === "serious" || v.impact === "critical")
            found.push(
              `${mode} ${width} ${path}: ${v.id} ${v.nodes
                .slice(0, 3)
                .map((n) => n.target.join(" "))
                .join(" | ")}`,
            );
        // Reported as found, so a run cut short still says what it saw.
        for (const line of found) console.log(`odv a11y: ${line}`);
        problems.push(...found);
        await shot(page, `${label}-${mode}-${width}`);
      }
    }
    expect(problems).toEqual([]);
  });
}
