import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { NAME_PATTERN } from "@/server/core/name";
import { getQueryClient, trpc } from "@/trpc/server";
import { prefetchOr404 } from "../../../prefetch-or-404";

/**
 * The feature page: 404 for a view that does not exist, or whose current version has no such
 * feature, before anything streams (no loading boundary encloses this layout).
 */
export default async function Layout({
  children,
  params,
}: {
  children: ReactNode;
  params: Promise<{ project: string; view: string; feature: string }>;
}) {
  const { project, view, feature } = await params;
  if (!NAME_PATTERN.test(view) || !NAME_PATTERN.test(feature)) notFound();
  const qc = getQueryClient();
  await prefetchOr404(async () => {
    const v = await qc.fetchQuery(trpc.featureViews.get.queryOptions({ project, name: view }));
    if (!v.spec.fields.some((f) => f.name === feature)) notFound();
  });
  return children;
}
