import "server-only";
import { TRPCError } from "@trpc/server";
import { notFound } from "next/navigation";

/**
 * Fetches an object page's main query on the server (so it is hydrated) and answers 404 when the
 * object (or the project, for a caller outside it) does not exist. Other failures are left to the
 * client body, which shows them with a retry; anything but a tRPC error (notFound() called by
 * `fetch` itself, say) goes on.
 */
export async function prefetchOr404(fetch: () => Promise<unknown>): Promise<void> {
  try {
    await fetch();
  } catch (e) {
    if (!(e instanceof TRPCError)) throw e; // notFound() from `fetch` itself, among others
    if (e.code === "NOT_FOUND") notFound();
  }
}
