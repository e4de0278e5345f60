import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { NAME_PATTERN } from "@/server/core/name";
import { getQueryClient, trpc } from "@/trpc/server";
import { prefetchOr404 } from "../../prefetch-or-404";

/** The stream view page and its edit form: 404 for an unknown name, before anything streams. */
export default async function Layout({
  children,
  params,
}: {
  children: ReactNode;
  params: Promise<{ project: string; name: string }>;
}) {
  const { project, name } = await params;
  if (!NAME_PATTERN.test(name)) notFound();
  await prefetchOr404(() =>
    getQueryClient().fetchQuery(trpc.streamViews.get.queryOptions({ project, name })),
  );
  return children;
}
