import "server-only";
import { notFound } from "next/navigation";
import { NAME_PATTERN } from "@/server/core/name";
import { getQueryClient, trpc } from "@/trpc/server";
import { prefetchOr404 } from "./prefetch-or-404";

/** The object kinds with a page of their own under /p/[project]/<kind>/[name]. */
export type PagedKind = "entity" | "source" | "view" | "service" | "consumer" | "dataset";

/**
 * Answers 404 (the status too) for an object page or edit form whose object does not exist. Called
 * by each `[name]/layout.tsx`, which no loading boundary encloses, so nothing has streamed yet; the
 * fetched object stays in the request's query client for the page.
 */
export async function requireObject(project: string, kind: PagedKind, name: string): Promise<void> {
  if (!NAME_PATTERN.test(name)) notFound();
  const qc = getQueryClient();
  const input = { project, name };
  await prefetchOr404(() => {
    switch (kind) {
      case "entity":
        return qc.fetchQuery(trpc.entities.get.queryOptions(input));
      case "source":
        return qc.fetchQuery(trpc.sources.get.queryOptions(input));
      case "view":
        return qc.fetchQuery(trpc.featureViews.get.queryOptions(input));
      case "service":
        return qc.fetchQuery(trpc.featureServices.get.queryOptions(input));
      case "consumer":
        return qc.fetchQuery(trpc.consumers.get.queryOptions(input));
      case "dataset":
        return qc.fetchQuery(trpc.datasets.get.queryOptions(input));
    }
  });
}
