import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { inject } from "vitest";
import { createPool } from "../../server/db/client";
import { resetEnvCache } from "../../server/env";
import { dropRoles } from "../global-setup";

const KEYS = ["DATABASE_URL", "QUIVER_HOME", "QUIVER_OFFLINE_ROLE_PREFIX"] as const;

export interface CliSessionEnv {
  /** The private QUIVER_HOME (runtime.json and any files a test writes). */
  home: string;
  /**
   * Puts the environment back and removes the home, runs `drop` (the test database: its grants
   * must go before the roles can), then drops the offline roles the CLI made.
   */
  restore(drop: () => Promise<void>): Promise<void>;
}

/**
 * Points the CLI, which opens its own session, at a test database: a private QUIVER_HOME keeps
 * runtime.json out of the way, and a role prefix of this test run (swept by global-setup too) lets
 * the offline roles its session makes be dropped.
 */
export function cliOn(t: { url: string }, name: string): CliSessionEnv {
  const saved = KEYS.map((k) => [k, process.env[k]] as const);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), `quiver-${name}-`));
  const rolePrefix = `qt${inject("pgTemplate").replace("quiver_tpl_", "")}_c${randomBytes(2).toString("hex")}`;
  process.env.DATABASE_URL = t.url;
  process.env.QUIVER_HOME = home;
  process.env.QUIVER_OFFLINE_ROLE_PREFIX = rolePrefix;
  resetEnvCache();
  return {
    home,
    async restore(drop) {
      for (const [key, value] of saved) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      resetEnvCache();
      fs.rmSync(home, { recursive: true, force: true });
      await drop();
      const admin = createPool(inject("pgBaseUrl"), 1);
      await dropRoles(admin, rolePrefix).finally(() => admin.end());
    },
  };
}
