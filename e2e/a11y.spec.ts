import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { NOT_FOUND, PROJECT, type Route, SIGNED_OUT, settled, walkPages } from "./fixtures/pages";

// Layout and accessibility of every page (docs/adr/0026-layout-accessibility-and-dark-mode.md):
// each route found by the walk (e2e/fixtures/pages.ts) is loaded once per colour mode and checked at
// 1440 and at 390 px: no serious or critical axe violation, and no sideways scroll of the page.

const WIDTHS = [1440, 390] as const;
const HEIGHT = 900;

type Mode = "light" | "dark";

/** Checks the open page at both widths; returns what is wrong, one line each. */
async function check(page: Page, r: Route, mode: Mode): Promise<string[]> {
  const problems: string[] = [];
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: HEIGHT });
    // The new layout is in place after the next frame (resize observers have run).
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => done(null))));
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (overflow > 0)
      problems.push(`${mode} ${width}px ${r.path}: the page scrolls sideways by ${overflow}px`);
    const { violations } = await new AxeBuilder({ page }).analyze();
    for (const v of violations) {
      if (v.impact !== "serious" && v.impact !== "critical") continue;
      const where = v.nodes
        .slice(0, 5)
        .map((n) => n.target.join(" "))
        .join(" | ");
      problems.push(`${mode} ${width}px ${r.path}: ${v.id} (${v.impact}) ×${v.nodes.length}: ${where}`);
    }
  }
  await page.setViewportSize({ width: WIDTHS[0], height: HEIGHT });
  return problems;
}

for (const mode of ["light", "dark"] as const) {
  test(`every page, ${mode} mode: no serious axe violation and no sideways scroll at 1440 and 390 px`, async ({
    page,
    browser,
  }) => {
    test.setTimeout(900_000);
    await page.emulateMedia({ colorScheme: mode });
    const problems: string[] = [];
    // Reported as they are found, so a run that fails halfway still says what it saw.
    const report = (lines: string[]) => {
      for (const line of lines) console.log(`a11y: ${line}`);
      problems.push(...lines);
    };
    const routes = await walkPages(page, async (r) => {
      report(await check(page, r, mode));
    });
    console.log(
      `a11y: ${mode} mode walked ${routes.length} pages: ${routes.map((r) => r.pattern).join(" ")}`,
    );
    // The walk found the sidebar's sections and object pages behind them, not just the seeds.
    expect(routes.map((r) => r.pattern)).toEqual(
      expect.arrayContaining(["/p/[project]/features", "/p/[project]/views", "/p/[project]/views/[name]"]),
    );

    await page.goto(NOT_FOUND.path);
    await settled(page);
    report(await check(page, NOT_FOUND, mode));

    const signedOut = await browser.newContext({ storageState: undefined, colorScheme: mode });
    try {
      const anon = await signedOut.newPage();
      for (const r of SIGNED_OUT) {
        await anon.goto(r.path);
        await settled(anon);
        report(await check(anon, r, mode));
      }
    } finally {
      await signedOut.close();
    }
    expect(problems).toEqual([]);
  });
}

test("the skip link is the first stop of Tab and moves focus to the page", async ({ page }) => {
  await page.goto(`/p/${PROJECT}/entities`);
  await settled(page);
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press("Enter");
  await expect(page.locator("main#main")).toBeFocused();
});

test("below md the navigation is a drawer: focus stays in it, Escape and a link close it", async ({
  page,
}) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`/p/${PROJECT}/features`);
  await settled(page);
  // The desktop column is not there; the top bar's button opens the drawer.
  await expect(page.getByRole("navigation", { name: "Sections" })).toBeHidden();
  const open = page.getByRole("button", { name: "Open navigation" });
  await open.click();
  const drawer = page.getByRole("dialog", { name: "Navigation" });
  await expect(drawer).toBeVisible();
  await expect(drawer.getByRole("navigation", { name: "Sections" })).toBeVisible();

  const stops = await drawer.locator("a[href], button, select").count();
  for (let i = 0; i < stops + 2; i++) {
    await page.keyboard.press("Tab");
    expect(await drawer.evaluate((d) => d.contains(document.activeElement))).toBe(true);
  }
  await page.keyboard.press("Shift+Tab");
  expect(await drawer.evaluate((d) => d.contains(document.activeElement))).toBe(true);

  await page.keyboard.press("Escape");
  await expect(drawer).toBeHidden();
  await expect(open).toBeFocused();

  await open.click();
  await drawer.getByRole("link", { name: "Entities" }).click();
  await expect(page).toHaveURL(/\/p\/demo\/entities$/);
  await expect(drawer).toBeHidden();
  await expect(page.getByRole("heading", { name: "Entities", level: 1 })).toBeVisible();
});

test("facet names say the count as words, not run into the label", async ({ page }) => {
  await page.goto(`/p/${PROJECT}/features`);
  await settled(page);
  const facets = page.getByRole("complementary", { name: "Filters" }).locator("button[aria-pressed]");
  await expect(facets.first()).toBeVisible();
  const n = await facets.count();
  expect(n).toBeGreaterThan(0);
  for (let i = 0; i < n; i++) {
    await expect(facets.nth(i)).toHaveAccessibleName(/\S ?, \d[\d,]* features?$/);
  }
  // On a phone the facets fold behind a "Filters" button.
  await page.setViewportSize({ width: 390, height: 844 });
  const toggle = page.getByRole("button", { name: "Filters" });
  await expect(toggle).toHaveAttribute("aria-expanded", "false");
  await expect(facets.first()).toBeHidden();
  await toggle.click();
  await expect(facets.first()).toBeVisible();
});
