import { QueryClient } from "@tanstack/react-query";
import { TRPCClientError } from "@trpc/client";
import superjson from "superjson";

/** Codes that will not change on retry: the request itself is wrong. */
const FINAL_CODES = new Set(["BAD_REQUEST", "NOT_FOUND", "FORBIDDEN", "UNAUTHORIZED", "CONFLICT"]);

/**
 * One QueryClient shape for the server (one per request) and the browser (one per tab). Data
 * crosses from server components to the client through superjson, so Dates stay Dates.
 */
export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Server-prefetched data is fresh on arrival; don't refetch it right after hydration.
        staleTime: 30_000,
        retry: (count, error) => {
          // A server render must not stall on retries; the browser retries after hydration.
          if (typeof window === "undefined") return false;
          if (error instanceof TRPCClientError && FINAL_CODES.has(String(error.data?.code))) return false;
          return count < 2;
        },
      },
      // Only settled successes cross to the browser (the default): pages await their prefetches,
      // and a layout dehydrating while a page's query is still pending must not ship that promise.
      dehydrate: { serializeData: superjson.serialize },
      hydrate: { deserializeData: superjson.deserialize },
    },
  });
}
