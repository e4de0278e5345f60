// `npm run test:e2e` (the second half of `npm test`): Playwright against the built app, when a
// Chromium is available. Without one it skips with one line, except under CI=true where it fails.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium"].filter((p): p is string => !!p);
const chromium = candidates.find((p) => fs.existsSync(p));
const HOW = "install it with `sudo apt-get install chromium` (Debian/Ubuntu) or set CHROMIUM_PATH";

if (!chromium) {
  if (process.env.CI === "true") {
    console.error(`e2e: no Chromium at ${candidates.join(" or ")}; CI=true does not skip tests: ${HOW}`);
    process.exit(1);
  }
  console.log(`e2e skipped: no Chromium found; ${HOW}`);
  process.exit(0);
}

const cli = path.join(root, "node_modules", "@playwright", "test", "cli.js");
const child = spawn(process.execPath, [cli, "test", ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, CHROMIUM_PATH: chromium, NEXT_TELEMETRY_DISABLED: "1" },
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
