// `npm run screens`: screenshots of every page at 1440 and 390 px (light mode) into docs/screens/,
// for review. Starts the app the way the e2e suite does (bin/e2e-server.ts: production build, fresh
// database, the seeded demo project), creates the owner on /setup, walks the route list of
// e2e/fixtures/pages.ts and writes `<route-slug>-<width>.png` plus docs/screens/README.md.
// SCREENS_URL=http://localhost:3350 uses an app already running instead (signing in as the e2e owner).
// Ports and names: SCREENS_PORT (3260), E2E_DATABASE (quiver_screens), E2E_PG_PORT, E2E_REDIS_DB (8).
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "@playwright/test";
import { OWNER } from "../e2e/fixtures/owner";
import { NOT_FOUND, type Route, SIGNED_OUT, settled, walkPages } from "../e2e/fixtures/pages";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outDir = path.join(root, "docs", "screens");
const WIDTHS = [
  { width: 1440, height: 900 },
  { width: 390, height: 844 },
] as const;

async function startApp(): Promise<{ url: string; server?: ChildProcess }> {
  if (process.env.SCREENS_URL) return { url: process.env.SCREENS_URL };
  const port = process.env.SCREENS_PORT ?? "3260";
  const url = `http://localhost:${port}`;
  const server = spawn(process.execPath, ["--import", "tsx", "bin/e2e-server.ts"], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
    env: {
      ...process.env,
      PORT: port,
      NEXT_TELEMETRY_DISABLED: "1",
      E2E_DATABASE: process.env.E2E_DATABASE ?? "quiver_screens",
      E2E_REDIS_DB: process.env.E2E_REDIS_DB ?? "8",
    },
  });
  // Up when health answers (the first start builds the app: minutes, not seconds).
  const deadline = Date.now() + 900_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`the app exited (${server.exitCode}) before it was up`);
    const ok = await fetch(`${url}/api/v1/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { url, server };
    await new Promise((done) => setTimeout(done, 1000));
  }
  server.kill("SIGTERM");
  throw new Error(`the app did not answer ${url}/api/v1/health within 15 minutes`);
}

/** First-run setup on a fresh app, or sign-in as the e2e owner on one already set up. */
async function signIn(page: Page): Promise<void> {
  await page.goto("/");
  await page.waitForURL(/\/(setup|login|p\/)/);
  if (page.url().includes("/setup")) {
    await page.getByLabel("Your name").fill(OWNER.name);
    await page.getByLabel("Email").fill(OWNER.email);
    await page.getByLabel("Password", { exact: true }).fill(OWNER.password);
    await page.getByLabel("Confirm password").fill(OWNER.password);
    await page.getByRole("button", { name: "Create owner account" }).click();
  } else if (page.url().includes("/login")) {
    await page.getByLabel("Email").fill(OWNER.email);
    await page.getByLabel("Password").fill(OWNER.password);
    await page.getByRole("button", { name: "Sign in" }).click();
  }
  await page.waitForURL(/\/p\/demo\//);
}

async function shoot(page: Page, r: Route, written: string[]): Promise<void> {
  for (const size of WIDTHS) {
    await page.setViewportSize(size);
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => done(null))));
    const file = `${r.slug}-${size.width}.png`;
    await page.screenshot({ path: path.join(outDir, file), animations: "disabled" });
    written.push(file);
  }
  await page.setViewportSize(WIDTHS[0]);
}

async function run(browser: Browser, url: string): Promise<{ routes: Route[]; files: string[] }> {
  const files: string[] = [];
  const context = await browser.newContext({ baseURL: url, viewport: WIDTHS[0], colorScheme: "light" });
  const page = await context.newPage();
  await signIn(page);
  const routes = await walkPages(page, (r) => shoot(page, r, files));
  await page.goto(NOT_FOUND.path);
  await settled(page);
  await shoot(page, NOT_FOUND, files);
  routes.push(NOT_FOUND);
  await context.close();

  const anon = await browser.newContext({ baseURL: url, viewport: WIDTHS[0], colorScheme: "light" });
  const anonPage = await anon.newPage();
  for (const r of SIGNED_OUT) {
    await anonPage.goto(r.path);
    await settled(anonPage);
    await shoot(anonPage, r, files);
    routes.push(r);
  }
  await anon.close();
  return { routes, files };
}

function readme(routes: Route[]): string {
  const cells = [
    ["route", "page shot", "desktop", "phone"],
    ...routes.map((r) => [
      `\`${r.pattern}\``,
      `\`${r.path}\``,
      `[1440](${r.slug}-1440.png)`,
      `[390](${r.slug}-390.png)`,
    ]),
  ];
  // Columns padded to one width, as the formatter (biome) writes Markdown tables.
  const widths = [0, 1, 2, 3].map((i) => Math.max(...cells.map((row) => row[i]?.length ?? 0)));
  const line = (row: string[]) => `| ${row.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  const [head = [], ...body] = cells;
  const rows = [line(head), line(widths.map((w) => "-".repeat(w))), ...body.map(line)];
  return `# Screenshots

Every page the route walk of \`e2e/fixtures/pages.ts\` finds (the one the accessibility check
\`e2e/a11y.spec.ts\` uses), at 1440 × 900 and 390 × 844, light mode, viewport-high, of the seeded
demo project. Written by \`npm run screens\` (\`bin/screens.ts\`): it builds and starts the app the
way the e2e suite does (\`bin/e2e-server.ts\`, a fresh database), creates the owner, walks the pages
and rewrites this folder. Needs Chromium (\`/usr/bin/chromium\` or \`CHROMIUM_PATH\`); with a Postgres
and Redis set as for e2e (\`DATABASE_URL\`, \`REDIS_URL\`), else embedded. \`SCREENS_URL\` points it at
an app already running instead.

${rows.join("\n")}
`;
}

const { url, server } = await startApp();
let code = 0;
try {
  fs.mkdirSync(outDir, { recursive: true });
  for (const f of fs.readdirSync(outDir)) if (f.endsWith(".png")) fs.rmSync(path.join(outDir, f));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
  });
  try {
    const { routes, files } = await run(browser, url);
    fs.writeFileSync(path.join(outDir, "README.md"), readme(routes));
    console.log(
      `screens: ${files.length} screenshots of ${routes.length} pages in ${path.relative(root, outDir)}/`,
    );
  } finally {
    await browser.close();
  }
} catch (e) {
  console.error(e);
  code = 1;
} finally {
  server?.kill("SIGTERM");
}
process.exitCode = code;
