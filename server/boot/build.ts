import "server-only";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { BootError } from "./errors";

/** Inputs of the Next build: when one is newer than the build, the build is stale. */
const SOURCE_DIRS = ["app", "components", "server", "public", "lib", "styles"];
const SOURCE_FILES = ["next.config.ts", "postcss.config.mjs", "package-lock.json", "tsconfig.json"];
const IGNORED = /(\.test\.tsx?|\.spec\.tsx?)$/;

/**
 * Why the production build in `${root}/.next` must be (re)built, or undefined when it is current:
 * missing, QUIVER_REBUILD=1, or a source file newer than its BUILD_ID.
 */
export function buildNeeded(root: string): string | undefined {
  const buildId = path.join(root, ".next", "BUILD_ID");
  if (!fs.existsSync(buildId)) return "no production build found";
  if (process.env.QUIVER_REBUILD === "1") return "QUIVER_REBUILD=1";
  const builtAt = fs.statSync(buildId).mtimeMs;
  const newer = newestSource(root);
  if (newer && newer.mtimeMs > builtAt)
    return `${path.relative(root, newer.file)} changed since the last build`;
  return undefined;
}

/** Runs `next build` when buildNeeded says so; the build's output goes to this console. */
export async function ensureProductionBuild(root: string, log: (line: string) => void): Promise<void> {
  const why = buildNeeded(root);
  if (!why) return;
  log(`${why}: running \`next build\` first (takes a minute or two)...`);
  const started = Date.now();
  await runNextBuild(root);
  log(`build finished in ${Math.round((Date.now() - started) / 1000)} s`);
}

export function runNextBuild(root: string): Promise<void> {
  const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [nextBin, "build"], {
      cwd: root,
      stdio: "inherit",
      env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
    });
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      if (code === 0) resolve();
      else
        reject(new BootError(`next build failed (${signal ?? `exit code ${code}`}); see its output above`));
    });
  });
}

function newestSource(root: string): { file: string; mtimeMs: number } | undefined {
  let newest: { file: string; mtimeMs: number } | undefined;
  const consider = (file: string) => {
    const st = fs.statSync(file, { throwIfNoEntry: false });
    if (st && (!newest || st.mtimeMs > newest.mtimeMs)) newest = { file, mtimeMs: st.mtimeMs };
  };
  for (const f of SOURCE_FILES) consider(path.join(root, f));
  for (const d of SOURCE_DIRS) {
    const dir = path.join(root, d);
    if (!fs.existsSync(dir)) continue;
    for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || IGNORED.test(entry.name)) continue;
      consider(path.join(entry.parentPath, entry.name));
    }
  }
  return newest;
}
