import "server-only";
import { ConflictError } from "./errors";
import { pgCode } from "./pg-error";

/** Runs a write, turning a unique-key violation into a ConflictError that names the object. */
export async function uniquely<T>(what: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (e) {
    if (pgCode(e) === "23505") throw new ConflictError(`${what} already exists`, "name");
    throw e;
  }
}
