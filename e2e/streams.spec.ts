import { type ChildProcess, spawn } from "node:child_process";
import { expect, type Page, test } from "@playwright/test";
import { Redis } from "ioredis";

/**
 * Stream views on the demo's driver_trips_live: the list, the page with its consumer lag and
 * look-up while a real `quiver stream-worker` (a child process on the e2e server's database and
 * Redis db) consumes events pushed with XADD, then the form: a foreign stream key refused on its
 * field, a valid create, and an edit that makes v2 with its diff.
 */
const s = Date.now().toString(36);
const VIEW = "driver_trips_live";
const NEW_VIEW = `rider_live_${s}`;
const DRIVER = "1001";

const E2E_REDIS_DB = Number(process.env.E2E_REDIS_DB ?? 2);
function redisUrl(): string {
  const u = new URL(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  u.pathname = `/${E2E_REDIS_DB}`;
  return u.toString();
}
function databaseUrl(): string {
  const u = new URL(process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres");
  u.pathname = `/${process.env.E2E_DATABASE ?? "quiver_e2e"}`;
  return u.toString();
}

test.describe.configure({ mode: "serial" });
test.skip(!process.env.REDIS_URL || !process.env.DATABASE_URL, "needs the e2e server's Postgres and Redis");

let redis: Redis;
let worker: ChildProcess | undefined;
let tripSeq = 0;

async function pushTrips(n: number) {
  for (let i = 0; i < n; i++) {
    tripSeq += 1;
    await redis.xadd(
      "demo:trips",
      "*",
      "trip_id",
      `e2e-${s}-${tripSeq}`,
      "driver_id",
      DRIVER,
      "event_timestamp",
      String(Date.now()),
      "fare",
      "10",
    );
  }
}

/** Starts `quiver stream-worker` on the e2e server's data; resolves once it says it is ready. */
function startWorker(): Promise<ChildProcess> {
  const child = spawn("node", ["bin/quiver.js", "stream-worker"], {
    env: { ...process.env, DATABASE_URL: databaseUrl(), REDIS_URL: redisUrl(), QUIVER_HOME: ".quiver/e2e" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    const onData = (b: Buffer) => {
      out += b.toString();
      if (out.includes("stream worker ready")) resolve(child);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("exit", (code) => reject(new Error(`stream-worker exited (${code}): ${out}`)));
  });
}

async function stopWorker() {
  const w = worker;
  worker = undefined;
  if (!w || w.exitCode !== null) return;
  const exited = new Promise((resolve) => w.once("exit", resolve));
  w.kill("SIGTERM");
  await exited;
}

test.beforeAll(() => {
  redis = new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
});
test.afterAll(async () => {
  await stopWorker();
  redis?.disconnect();
});

function lookupValue(page: Page, feature: string) {
  return page.getByTestId(`lookup-row-${feature}`).getByTestId("lookup-value");
}

test("the list shows the demo's stream view with its key, aggregations and lag state", async ({ page }) => {
  await page.goto("/p/demo/streams");
  await expect(page.getByRole("heading", { name: "Stream views" })).toBeVisible();
  const row = page.getByRole("row").filter({ hasText: VIEW });
  await expect(row).toContainText("demo:trips");
  await expect(row).toContainText("6");
  await expect(row.getByTestId(`lag-${VIEW}`)).toHaveText(/no stream yet|no consumer group|caught up|behind/);
  await row.getByRole("link", { name: VIEW }).click();
  await expect(page).toHaveURL(new RegExp(`/p/demo/streams/${VIEW}$`));
});

test("the page shows lag and looked-up values moving as a worker consumes pushed events", async ({
  page,
}) => {
  await page.goto(`/p/demo/streams/${VIEW}`);
  await expect(page.getByTestId("object-name")).toHaveText(VIEW);
  await expect(page.getByRole("cell", { name: "fare_sum_1h" })).toBeVisible();
  // nothing consumes yet: the page says how to start a worker
  await pushTrips(2);
  await expect(page.getByTestId("lag-no-group")).toContainText("npx quiver stream-worker");

  worker = await startWorker();
  await expect(page.getByTestId("lag-summary")).toHaveText("caught up");
  await expect(page.getByTestId("lag-counters")).toContainText("2 applied");

  await page.getByTestId("lookup-key-driver_id").fill(DRIVER);
  await page.getByTestId("lookup-submit").click();
  await expect(lookupValue(page, "trips_5m")).toHaveText("2");
  await expect(lookupValue(page, "fare_sum_1h")).toHaveText("20");

  await pushTrips(3);
  await expect(page.getByTestId("lag-counters")).toContainText("5 applied");
  await expect(page.getByTestId("lag-summary")).toHaveText("caught up");
  await page.getByTestId("lookup-submit").click();
  await expect(lookupValue(page, "trips_5m")).toHaveText("5");
  await expect(lookupValue(page, "fare_sum_1h")).toHaveText("50");

  // a stopped worker leaves what arrives next behind, and the page says so
  await stopWorker();
  await pushTrips(1);
  await expect(page.getByTestId("lag-value")).toHaveText("1");
});

test("the form refuses a stream key of another project on its field, creates a view and edits it to v2 with a diff", async ({
  page,
}) => {
  await page.goto("/p/demo/streams/new");
  await page.getByLabel("Name").fill(NEW_VIEW);
  await page.getByLabel("Stream key").fill("other:rides");
  await page.getByRole("combobox", { name: "Add an entity" }).selectOption("driver");
  await page.getByLabel("Feature").fill("rides_5m");
  await page.getByRole("button", { name: "Create stream view" }).click();
  await expect(
    page.getByText('must start with "demo:" (a project reads only its own streams)'),
  ).toBeVisible();
  await expect(page).toHaveURL(/\/streams\/new$/);

  await page.getByLabel("Stream key").fill(`demo:rides_${s}`);
  await page.getByRole("button", { name: "Create stream view" }).click();
  await expect(page).toHaveURL(new RegExp(`/p/demo/streams/${NEW_VIEW}$`));
  await expect(page.getByTestId("object-name")).toHaveText(NEW_VIEW);
  await expect(page.getByText("v1", { exact: true }).first()).toBeVisible();

  await page.getByRole("link", { name: "Edit", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/p/demo/streams/${NEW_VIEW}/edit$`));
  await page.getByLabel("Allowed lateness", { exact: true }).fill("5");
  await page.getByRole("button", { name: "Save new version" }).click();
  await expect(page).toHaveURL(new RegExp(`/p/demo/streams/${NEW_VIEW}$`));
  await page.getByRole("button", { name: "Changes from v1" }).click();
  const diff = page.getByTestId("stream-diff");
  await expect(diff.getByRole("row").filter({ hasText: "allowedLatenessSeconds" })).toContainText("300 s");
});

test("an unknown stream view is a 404", async ({ page }) => {
  const res = await page.goto("/p/demo/streams/no_such_view");
  expect(res?.status()).toBe(404);
});
