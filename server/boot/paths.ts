import "server-only";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { env } from "../env";

/** The repository root (where package.json and next.config.ts live). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** QUIVER_HOME as an absolute path (relative values are taken from the working directory). */
export function quiverHome(): string {
  return path.resolve(env().QUIVER_HOME);
}
