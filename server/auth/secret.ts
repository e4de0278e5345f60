import "server-only";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { env } from "../env";

/**
 * The key that signs session cookies: QUIVER_AUTH_SECRET when set (several app processes on one
 * database must share it), otherwise one generated on first start and kept in
 * `${QUIVER_HOME}/auth-secret` (mode 600), so sessions survive restarts.
 */
export function authSecret(): string {
  const fromEnv = env().QUIVER_AUTH_SECRET;
  if (fromEnv) return fromEnv;
  const file = path.join(path.resolve(env().QUIVER_HOME), "auth-secret");
  const existing = readSecret(file);
  if (existing) return existing;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  try {
    // "wx": of two processes starting together, one writes and the other reads its secret.
    fs.writeFileSync(file, `${randomBytes(32).toString("base64url")}\n`, { mode: 0o600, flag: "wx" });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  }
  const written = readSecret(file);
  if (!written) throw new Error(`${file} is empty: delete it and restart, or set QUIVER_AUTH_SECRET`);
  return written;
}

function readSecret(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8").trim() || undefined;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}
