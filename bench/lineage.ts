/**
 * The lineage page at scale, in Chromium (the catalog issue; docs/adr/0004 "At scale"):
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:lineage
 *
 * Builds a project of about BENCH_NODES (2,000) lineage nodes in a database of its own
 * (bench/lib/lineage-seed.ts), starts the production app (`quiver start`, which builds it first when
 * the build is stale), signs an owner in, and then, BENCH_ROUNDS times in turns, measures from
 * navigation to the first lineage node painted (the first `.react-flow__node`, then one animation
 * frame, read as performance.now(), whose origin is the navigation's start):
 *   - lineage, unfocused:  /p/<project>/lineage (summary and the folded overview);
 *   - lineage, focused:    /p/<project>/lineage?focus=feature_view:<busiest view>;
 *   - lineage, feature:    ...?focus=feature:<view>:<feature>;
 *   - baseline:            /p/<project>/entities, a server-rendered list page of the same app
 *                          (same shell, session and data), to its first table row painted.
 * Prints p50/p95 per page, each page's p50 over the baseline's, the HTML each lineage page
 * sends, and the size the old whole-graph page would have sent. The target: lineage first
 * paint <= 2 s at 2,000 nodes (p50). Loopback only; the database and the app are removed after.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Browser, chromium } from "@playwright/test";
import { createUser } from "../server/auth/users";
import { offlineStoreConfig } from "../server/boot/offline-config";
import type { Ctx } from "../server/core/context";
import { rootLogger } from "../server/core/log";
import { createDb, createPool } from "../server/db/client";
import { runMigrations } from "../server/db/migrate";
import { createOfflineStore } from "../server/offline";
import { ensureOfflineDatabase } from "../server/offline/database";
import { createPostgresOnlineStore } from "../server/online";
import { getLineage } from "../server/registry/lineage";
import { exited, healthy, loopbackOrExit, noJobs, start } from "./lib/app";
import { seedLineageProject } from "./lib/lineage-seed";

const NODES = Number(process.env.BENCH_NODES ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const PORT = Number(process.env.BENCH_PORT ?? 16580);
const TARGET_MS = 2000;
const OWNER = { name: "Bench Owner", email: "owner@bench.quiver.test", password: "bench owner password" };
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

interface Page {
  name: string;
  path: string;
  /** What counts as painted. */
  selector: string;
}

async function main() {
  const serverUrl = loopbackOrExit(
    "DATABASE_URL",
    process.env.DATABASE_URL,
    "DATABASE_URL=postgres://... npm run bench:lineage",
  );
  const dbName = `quiver_bench_lineage_${randomBytes(4).toString("hex")}`;
  const project = "lineage_bench";
  const admin = createPool(serverUrl, 1);
  await admin.query(`create database ${dbName}`);
  const u = new URL(serverUrl);
  u.pathname = `/${dbName}`;
  const dbUrl = u.toString();
  const pool = createPool(dbUrl, 4);
  const db = createDb(pool);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "quiver-bench-lineage-"));
  const rolePrefix = `qbl_${randomBytes(4).toString("hex")}`;
  const offlineUrl = (await ensureOfflineDatabase(dbUrl)).url;
  const offline = createOfflineStore({
    ...offlineStoreConfig(db, offlineUrl),
    secret: randomBytes(24).toString("hex"),
    rolePrefix,
  });
  let app: ReturnType<typeof start> | undefined;
  let browser: Browser | undefined;
  try {
    await runMigrations(pool);
    const ctx: Ctx = {
      actor: { kind: "local", name: "bench" },
      db,
      online: createPostgresOnlineStore(pool),
      offline,
      jobs: noJobs(),
      log: rootLogger(),
    };
    const seeded = await seedLineageProject(db, project, NODES);
    const whole = await getLineage({ ctx, input: { project } });
    await createUser({ ctx, input: OWNER });

    app = start(["start", "--port", String(PORT)], {
      ...process.env,
      DATABASE_URL: dbUrl,
      QUIVER_HOME: home,
      QUIVER_LOG_LEVEL: "warn",
      QUIVER_LOGINS_PER_MINUTE: "100",
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
    });
    await healthy(PORT, 900_000);
    const base = `http://localhost:${PORT}`;

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
      ],
    });
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const login = await context.request.post(`${base}/api/auth/sign-in/email`, {
      data: { email: OWNER.email, password: OWNER.password },
      headers: { origin: base },
    });
    if (!login.ok()) throw new Error(`sign-in failed: ${login.status()} ${await login.text()}`);

    if (process.env.BENCH_HOLD) {
      // Keeps the app up for probing by hand until Ctrl-C (or SIGTERM).
      console.log(
        `holding: ${base}, ${OWNER.email} / ${OWNER.password}, project ${project}, view ${seeded.busyView}`,
      );
      await new Promise((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      return;
    }
    const lineage = `/p/${project}/lineage`;
    const pages: Page[] = [
      { name: "baseline: entities list", path: `/p/${project}/entities`, selector: "table tbody tr" },
      { name: "lineage, unfocused", path: lineage, selector: ".react-flow__node" },
      {
        name: "lineage, focused view",
        path: `${lineage}?focus=${encodeURIComponent(`feature_view:${seeded.busyView}`)}`,
        selector: ".react-flow__node",
      },
      {
        name: "lineage, focused feature",
        path: `${lineage}?focus=${encodeURIComponent(`feature:${seeded.busyFeature}`)}`,
        selector: ".react-flow__node",
      },
    ];
    const page = await context.newPage();
    // One unmeasured load of each: the first request of a route compiles nothing in production, but
    // warms the server's caches and the browser's, as a person's second visit would.
    for (const p of pages) await firstPaint(page, base, p);
    const times = new Map<string, number[]>(pages.map((p) => [p.name, []]));
    for (let r = 0; r < ROUNDS; r++)
      for (const p of pages) times.get(p.name)?.push(await firstPaint(page, base, p));

    // BENCH_SCREENSHOTS=DIR: a picture of each page once drawn, to look at.
    const shots = process.env.BENCH_SCREENSHOTS;
    if (shots) {
      fs.mkdirSync(shots, { recursive: true });
      for (const [i, p] of pages.entries()) {
        await firstPaint(page, base, p);
        await page.screenshot({ path: path.join(shots, `lineage-${i}.png`) });
      }
    }
    const sizes = new Map<string, number>();
    for (const p of pages) {
      const res = await context.request.get(`${base}${p.path}`);
      sizes.set(p.name, (await res.body()).length);
    }
    const wholeJson = JSON.stringify(whole).length;

    console.log(
      `lineage: ${whole.nodes.length.toLocaleString("en-US")} nodes, ${whole.edges.length.toLocaleString("en-US")} edges ` +
        `(whole graph as JSON: ${kb(wholeJson)}); ${ROUNDS} rounds in turns; ${os.availableParallelism()} cores; Chromium ${browser.version()}`,
    );
    const baseline = p50(times.get(pages[0]?.name ?? "") ?? []);
    console.log("                              p50 ms   p95 ms   p50/baseline   HTML");
    for (const p of pages) {
      const list = times.get(p.name) ?? [];
      console.log(
        `  ${p.name.padEnd(26)}${fmt(p50(list))}  ${fmt(p95(list))}       ${(p50(list) / baseline).toFixed(2).padStart(5)}   ${kb(sizes.get(p.name) ?? 0)}`,
      );
    }
    for (const p of pages.slice(1)) {
      const m = p50(times.get(p.name) ?? []);
      console.log(
        `  target: ${p.name} first node <= ${TARGET_MS} ms (p50): ${m <= TARGET_MS ? "met" : "NOT met"} (${Math.round(m)} ms)`,
      );
    }
  } finally {
    await browser?.close().catch(() => {});
    if (app) {
      app.kill("SIGTERM");
      await exited(app, 20_000);
    }
    const roles = offline.roles(project);
    await offline.close().catch(() => {});
    await pool.end().catch(() => {});
    await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => {});
    await admin.query(`drop database if exists ${dbName}_offline with (force)`).catch(() => {});
    for (const role of [roles.reader, roles.writer])
      await admin.query(`drop role if exists "${role}"`).catch(() => {});
    await admin.end().catch(() => {});
    fs.rmSync(home, { recursive: true, force: true });
  }
}

/** Navigation start to the page's first `selector` painted, in ms (the page's own clock). */
async function firstPaint(page: import("@playwright/test").Page, base: string, p: Page): Promise<number> {
  await page.goto("about:blank");
  await page.goto(`${base}${p.path}`, { waitUntil: "commit" });
  await page.waitForSelector(p.selector, { state: "visible", timeout: 60_000 });
  return page.evaluate(() => new Promise<number>((r) => requestAnimationFrame(() => r(performance.now()))));
}

function p50(xs: number[]): number {
  return quantile(xs, 0.5);
}
function p95(xs: number[]): number {
  return quantile(xs, 0.95);
}
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const i = Math.min(s.length - 1, Math.ceil(q * s.length) - 1);
  return s[Math.max(0, i)] ?? Number.NaN;
}
const fmt = (ms: number) => Math.round(ms).toString().padStart(7);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;

await main();
