import { expect, type Page, test } from "@playwright/test";

/**
 * A run's log on the Jobs page (docs/adr/0034-lag-history-and-run-logs.md): a run that succeeds
 * shows its window at claim, its batches and its totals; a run whose source fails on every row
 * shows its safe error, marked as an error in words as well as colour, and the retry to come.
 */
const suffix = Date.now().toString(36);
const GOOD = `log_good_${suffix}`;
const BROKEN_SRC = `log_broken_src_${suffix}`;
const BROKEN = `log_broken_${suffix}`;

async function mutate(page: Page, path: string, input: unknown): Promise<unknown> {
  const res = await page.request.post(`/api/trpc/${path}`, { data: { json: input } });
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as { result: { data: { json: unknown } } }).result.data.json;
}

async function materialize(page: Page, view: string): Promise<string> {
  const end = new Date();
  const runs = (await mutate(page, "jobs.materialize", {
    project: "demo",
    featureViews: [view],
    startTs: new Date(end.getTime() - 30 * 86_400_000).toISOString(),
    endTs: end.toISOString(),
  })) as { id: string }[];
  const id = runs[0]?.id;
  if (!id) throw new Error("no run queued");
  return id;
}

function viewSpec(name: string, source: string) {
  return {
    project: "demo",
    spec: { name, entities: ["driver"], source, ttlSeconds: 0, fields: [{ name: "trips", dtype: "int64" }] },
  };
}

const runRow = (page: Page, id: string) => page.locator(`[data-testid="run-row"][data-run-id="${id}"]`);

test("a run's log opens under its row on the Jobs page: window, batches, totals; a failure and its retry", async ({
  page,
}) => {
  await mutate(page, "sources.create", {
    project: "demo",
    name: `log_src_${suffix}`,
    kind: "query",
    query:
      "select driver_id, event_timestamp, avg_daily_trips::bigint as trips from demo.driver_hourly_stats",
    timestampField: "event_timestamp",
  });
  await mutate(page, "featureViews.create", viewSpec(GOOD, `log_src_${suffix}`));
  await mutate(page, "sources.create", {
    project: "demo",
    name: BROKEN_SRC,
    kind: "query",
    query:
      "select driver_id, event_timestamp, (driver_id::text || 'x')::bigint as trips from demo.driver_hourly_stats",
    timestampField: "event_timestamp",
  });
  await mutate(page, "featureViews.create", viewSpec(BROKEN, BROKEN_SRC));
  const good = await materialize(page, GOOD);
  const broken = await materialize(page, BROKEN);

  await page.goto(`/p/demo/jobs?view=${GOOD}`);
  const row = runRow(page, good);
  await expect(row).toHaveAttribute("data-status", "succeeded", { timeout: 90_000 });
  const toggle = row.getByRole("button", { name: /^Log/ });
  await expect(toggle).toHaveAttribute("aria-expanded", "false");
  await toggle.click();
  await expect(toggle).toHaveAttribute("aria-expanded", "true");
  await expect(page).toHaveURL(new RegExp(`log=${good}`));
  const log = page.locator(`#run-log-${good}`).getByTestId("run-log");
  await expect(log).toBeVisible();
  const entries = log.getByTestId("run-log-entry");
  await expect(entries.first()).toContainText(/attempt 1 of 3: range run over \d{4}-\d\d-\d\d/);
  await expect(log.getByText(/^batch 1: read \d+ rows, wrote \d+$/)).toBeVisible();
  await expect(entries.last()).toContainText(/succeeded: read \d+ rows, wrote \d+ in \d+ batches/);
  await page.screenshot({ path: "/tmp/shots-lag/jobs-run-log.png", fullPage: true });

  // A link to the open log opens it again.
  await page.reload();
  await expect(page.locator(`#run-log-${good}`).getByTestId("run-log")).toBeVisible();

  await page.goto(`/p/demo/jobs?view=${BROKEN}&log=${broken}`);
  await expect(runRow(page, broken)).toHaveAttribute("data-status", /retrying|failed/, { timeout: 90_000 });
  const failing = page.locator(`#run-log-${broken}`).getByTestId("run-log");
  const error = failing.locator('[data-testid="run-log-entry"][data-level="error"]').first();
  await expect(error).toContainText("Error");
  await expect(error).toContainText(`attempt 1 failed: reading source "${BROKEN_SRC}"`);
  await expect(error).not.toContainText(/select|::bigint/i);
  await expect(failing.getByText(/^will retry: attempt 2 of 3/)).toBeVisible();
  await page.screenshot({ path: "/tmp/shots-lag/jobs-run-log-error.png", fullPage: true });
});
