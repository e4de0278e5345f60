import { defineConfig } from "@playwright/test";

/**
 * End-to-end tests in e2e/, against the production build served by bin/e2e-server.ts on its own
 * port and its own freshly emptied data. Chromium is Debian's (`apt-get install chromium`):
 * `npx playwright install` cannot download here. Run through `npm run test:e2e`.
 */
const PORT = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://localhost:${PORT}`;

export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: process.env.CI === "true",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI === "true" ? [["list"], ["html", { open: "never" }]] : [["list"]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    browserName: "chromium",
    viewport: { width: 1440, height: 900 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
      ],
    },
  },
  webServer: {
    command: "node --import tsx bin/e2e-server.ts",
    url: `${baseURL}/api/v1/health`,
    env: { PORT: String(PORT), NEXT_TELEMETRY_DISABLED: "1" },
    // A first run builds the app (next build) before serving.
    timeout: 300_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    gracefulShutdown: { signal: "SIGTERM", timeout: 15_000 },
  },
});
