import "server-only";
import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import { createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import { cache, type ReactNode } from "react";
import { appRouter } from "@/server/trpc/root";
import { createContext } from "./context";
import { makeQueryClient } from "./query-client";

/** One QueryClient per server request, shared by every component that prefetches in it. */
export const getQueryClient = cache(makeQueryClient);

/**
 * Query options for server components: `await getQueryClient().prefetchQuery(trpc.x.y.queryOptions(input))`,
 * then render the client component inside <HydrateClient>. Calls the router in-process, no HTTP.
 */
export const trpc = createTRPCOptionsProxy({
  router: appRouter,
  ctx: createContext,
  queryClient: getQueryClient,
});

/** Hands everything prefetched in this request to the client components below it. */
export function HydrateClient({ children }: { children: ReactNode }) {
  return <HydrationBoundary state={dehydrate(getQueryClient())}>{children}</HydrationBoundary>;
}
