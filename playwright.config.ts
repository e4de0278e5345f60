import { defineConfig } from "@playwright/test";
import { OWNER_STATE } from "./e2e/fixtures/owner";

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
  // Generous bounds for a busy 2-core CI machine: specs wait on the app's own signals (URLs, text,
  // roles), never on fixed sleeps, so a slow machine only makes them slower, not red.
  timeout: 120_000,
  expect: { timeout: 30_000 },
  reporter: process.env.CI === "true" ? [["list"], ["html", { open: "never" }]] : [["list"]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    browserName: "chromium",
    viewport: { width: 1440, height: 900 },
    navigationTimeout: 60_000,
    actionTimeout: 30_000,
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
  // "setup" goes through first-run setup in the browser and saves the owner's session; every other
  // spec runs signed in as that owner (e2e/auth.spec.ts clears it to test signing in and out).
  projects: [
    { name: "setup", testMatch: /auth\.setup\.ts/ },
    { name: "app", dependencies: ["setup"], use: { storageState: OWNER_STATE } },
  ],
  webServer: {
    command: "node --import tsx bin/e2e-server.ts",
    url: `${baseURL}/api/v1/health`,
    // Every spec signs in from the same address: the login throttle (5 a minute) would trip.
    // Alerts look for breaches every 2 s, so e2e/alerts.spec.ts waits seconds, not the default 15.
    env: {
      PORT: String(PORT),
      NEXT_TELEMETRY_DISABLED: "1",
      QUIVER_LOGINS_PER_MINUTE: "100",
      QUIVER_ALERT_POLL_MS: "2000",
    },
    // A first run builds the app (next build) before serving.
    timeout: 900_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    gracefulShutdown: { signal: "SIGTERM", timeout: 15_000 },
  },
});
