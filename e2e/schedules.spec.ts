import { expect, type Page, test } from "@playwright/test";

/**
 * Scheduled materialization (issue 12, docs/adr/0031): a view given a one-minute schedule on its
 * page is materialized by the app's own scheduler, with nobody starting a run, until the freshness
 * board shows its SLA met; the board and the page show the next run, and pause/resume work.
 * The first tick is up to a minute away and CI is slow: the waits are long, on visible signals.
 */
const suffix = Date.now().toString(36);
const SOURCE = `sched_src_${suffix}`;
const VIEW = `sched_view_${suffix}`;
const QUERY =
  "select driver_id, event_timestamp, avg_daily_trips::bigint as trips from demo.driver_hourly_stats";
const SHOTS = "/tmp/shots-sched";

/** A tRPC mutation as the signed-in owner (the request shares the page's cookies). */
async function mutate(page: Page, path: string, input: unknown): Promise<void> {
  const res = await page.request.post(`/api/trpc/${path}`, { data: { json: input } });
  expect(res.status(), await res.text()).toBe(200);
}

const boardRow = (page: Page) => page.getByTestId("freshness-row").filter({ hasText: VIEW });

test("a one-minute schedule keeps a view fresh on its own; the next run shows; pause and resume", async ({
  page,
}) => {
  test.setTimeout(420_000);
  await mutate(page, "sources.create", {
    project: "demo",
    name: SOURCE,
    kind: "query",
    query: QUERY,
    timestampField: "event_timestamp",
  });
  await mutate(page, "featureViews.create", {
    project: "demo",
    spec: {
      name: VIEW,
      entities: ["driver"],
      source: SOURCE,
      ttlSeconds: 0,
      freshnessSlaSeconds: 3600,
      fields: [{ name: "trips", dtype: "int64" }],
    },
  });

  // Before: never materialized, and no schedule on the board.
  await page.goto("/p/demo/freshness");
  await expect(boardRow(page)).toHaveAttribute("data-status", "never_materialized");
  await expect(boardRow(page).getByTestId("freshness-next-run")).toHaveText("—");

  // Set the schedule on the view page: every 1 minute.
  await page.goto(`/p/demo/views/${VIEW}`);
  const panel = page.getByRole("region", { name: "Materialization" });
  await panel.getByText("Every N minutes").click();
  await panel.getByTestId("schedule-minutes").fill("1");
  await panel.getByTestId("schedule-save").click();
  const summary = panel.getByTestId("schedule-summary");
  await expect(summary).toContainText("every 1 min");
  await expect(panel.getByTestId("schedule-next-run")).toContainText(/\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);

  // The scheduler starts a run at the next minute; the panel lists the tick (it refreshes itself).
  const started = panel.locator('[data-testid="schedule-tick"][data-outcome="started"]');
  await expect(started.first()).toBeVisible({ timeout: 150_000 });
  await expect(started.first().getByRole("link", { name: /^run / })).toBeVisible();
  // The page's own runs list shows the scheduled run, and it succeeds (no one started it).
  await expect(panel.locator('[data-testid="run-row"][data-status="succeeded"]').first()).toBeVisible({
    timeout: 120_000,
  });
  await panel.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/view-schedule.png`, fullPage: true });

  // The board shows the view fresh, with its next run, without anyone starting a run.
  await page.goto("/p/demo/freshness");
  await expect(boardRow(page)).toHaveAttribute("data-status", "met", { timeout: 120_000 });
  await expect(boardRow(page).getByTestId("freshness-next-run")).toHaveText(/^(in \d+ (s|min)|just now)$/);
  await page.screenshot({ path: `${SHOTS}/freshness-next-run.png`, fullPage: true });

  // Pause: the board says so; resume brings a next run back.
  await page.goto(`/p/demo/views/${VIEW}`);
  await panel.getByTestId("schedule-pause").click();
  await expect(summary.getByText("paused", { exact: true })).toBeVisible();
  await expect(panel.getByTestId("schedule-next-run")).toHaveText("none while paused");
  await page.goto("/p/demo/freshness");
  await expect(boardRow(page).getByTestId("freshness-next-run")).toHaveText("paused");
  await page.goto(`/p/demo/views/${VIEW}`);
  await panel.getByTestId("schedule-resume").click();
  await expect(panel.getByTestId("schedule-next-run")).toContainText(/UTC/);
});
