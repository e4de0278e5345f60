import "server-only";
import { ConflictError } from "../errors";

/** Runs a write, turning a unique-key violation into a ConflictError that names the object. */
export async function uniquely<T>(what: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (e) {
    if (pgCode(e) === "23505") throw new ConflictError(`${what} already exists`, "name");
    throw e;
  }
}

export function pgCode(e: unknown): string | undefined {
  // drizzle wraps driver errors; the pg error is the cause.
  for (let cur: unknown = e; cur && typeof cur === "object"; cur = (cur as { cause?: unknown }).cause) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}
