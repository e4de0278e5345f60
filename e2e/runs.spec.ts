import { expect, type Locator, type Page, test } from "@playwright/test";

/**
 * Runs that fail, as a person meets them (docs/adr/0016-run-heartbeats-and-retries.md): the error
 * is shown whole at 1440 px on the Jobs page and on the view page, a run waiting for its retry can
 * be cancelled, and a failed run is retried from the view page once its cause is fixed.
 *
 * The view reads a query source that fails on every row (a cast of text that is not a number), so
 * each attempt fails at once; the queue retries it twice (10 s, then 20 s, plus jitter) before the
 * run is failed.
 */
const suffix = Date.now().toString(36);
const SOURCE = `broken_src_${suffix}`;
const VIEW = `broken_view_${suffix}`;
const BROKEN =
  "select driver_id, event_timestamp, (driver_id::text || 'x')::bigint as trips from demo.driver_hourly_stats";
const FIXED =
  "select driver_id, event_timestamp, avg_daily_trips::bigint as trips from demo.driver_hourly_stats";
const ERROR = `reading source "${SOURCE}": a value has the wrong syntax for its type (SQLSTATE 22P02)`;

/** A tRPC mutation as the signed-in owner (the request shares the page's cookies). */
async function mutate(page: Page, path: string, input: unknown): Promise<unknown> {
  const res = await page.request.post(`/api/trpc/${path}`, { data: { json: input } });
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as { result: { data: { json: unknown } } }).result.data.json;
}

function source(query: string) {
  return { project: "demo", name: SOURCE, kind: "query", query, timestampField: "event_timestamp" };
}

async function materialize(page: Page): Promise<string> {
  const end = new Date();
  const runs = (await mutate(page, "jobs.materialize", {
    project: "demo",
    featureViews: [VIEW],
    startTs: new Date(end.getTime() - 30 * 86_400_000).toISOString(),
    endTs: end.toISOString(),
  })) as { id: string }[];
  const id = runs[0]?.id;
  if (!id) throw new Error("no run queued");
  return id;
}

const runRow = (page: Page, id: string) => page.locator(`[data-testid="run-row"][data-run-id="${id}"]`);
const runDetail = (page: Page, id: string) => page.locator(`[data-testid="run-detail"][data-run-id="${id}"]`);

/** A run's rows: its own and the line under it. */
const runLines = (scope: Page | Locator, id: string) => scope.locator(`[data-run-id="${id}"]`);

/** The run's error is on screen in full: visible, wide enough to read, not cut by its box. */
async function expectWholeError(scope: Page | Locator, id: string) {
  const error = runLines(scope, id).getByText(ERROR);
  await expect(error).toBeVisible();
  const box = await error.boundingBox();
  expect(box?.width ?? 0).toBeGreaterThan(400);
  const cut = await error.evaluate(
    (el) => el.scrollWidth > el.clientWidth + 1 || getComputedStyle(el).textOverflow === "ellipsis",
  );
  expect(cut).toBe(false);
}

let waiting: string;
let failing: string;

// The second test retries the run the first one started.
test.describe.configure({ mode: "serial" });

test("a failed attempt's error is shown whole on the Jobs page and the view page; a retrying run can be cancelled", async ({
  page,
}) => {
  await mutate(page, "sources.create", source(BROKEN));
  await mutate(page, "featureViews.create", {
    project: "demo",
    spec: {
      name: VIEW,
      entities: ["driver"],
      source: SOURCE,
      ttlSeconds: 0,
      fields: [{ name: "trips", dtype: "int64" }],
    },
  });
  // Two runs: one to cancel while it waits for its retry, one to fail for good (the next test).
  waiting = await materialize(page);
  failing = await materialize(page);

  await page.goto(`/p/demo/jobs?view=${VIEW}`);
  await expect(runRow(page, waiting)).toHaveAttribute("data-status", "retrying", { timeout: 90_000 });
  await expectWholeError(page, waiting);
  await expect(runDetail(page, waiting)).toContainText("Attempt 1 failed, retrying:");
  await page.screenshot({ path: "/tmp/quiver-shots/jobs-run-error.png", fullPage: true });

  await page.goto(`/p/demo/views/${VIEW}`);
  const panel = page.getByRole("region", { name: "Materialization" });
  await panel.scrollIntoViewIfNeeded();
  await expectWholeError(panel, waiting);
  await page.screenshot({ path: "/tmp/quiver-shots/view-run-error.png", fullPage: true });

  await page.goto(`/p/demo/jobs?view=${VIEW}`);
  const row = runRow(page, waiting);
  await expect(row).toHaveAttribute("data-status", "retrying");
  await row.getByTestId("cancel-run").click();
  await row.getByTestId("confirm-cancel-run").click();
  await expect(row).toHaveAttribute("data-status", "cancelled");
  await expect(runDetail(page, waiting)).toContainText("cancelled by");
});

test("a failed run is retried from the view page once its source is fixed", async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto(`/p/demo/jobs?view=${VIEW}`);
  // Three attempts, the last after up to a minute of backoff.
  await expect(runRow(page, failing)).toHaveAttribute("data-status", "failed", { timeout: 120_000 });
  await expectWholeError(page, failing);

  await mutate(page, "sources.update", source(FIXED));
  await page.goto(`/p/demo/views/${VIEW}`);
  const failed = runRow(page, failing);
  await failed.getByTestId("retry-run").click();
  await expect(runDetail(page, failing).getByTestId("retried-by")).toBeVisible();
  await expect(failed.getByTestId("retry-run")).toHaveCount(0);
  const retry = page.getByTestId("run-row").first();
  await expect(retry).toHaveAttribute("data-status", "succeeded", { timeout: 60_000 });
  const retryId = await retry.getAttribute("data-run-id");
  await expect(runDetail(page, retryId ?? "")).toContainText(`Retry of run ${failing.slice(0, 8)}`);
  await page.screenshot({ path: "/tmp/quiver-shots/view-run-retried.png", fullPage: true });

  await page.goto(`/p/demo/jobs?view=${VIEW}`);
  await expect(runRow(page, retryId ?? "")).toHaveAttribute("data-status", "succeeded");
  await expect(runDetail(page, failing)).toContainText(`Retried as run ${(retryId ?? "").slice(0, 8)}`);
  await page.screenshot({ path: "/tmp/quiver-shots/jobs-run-retried.png", fullPage: true });
});
