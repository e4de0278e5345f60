import type { Metadata } from "next";
import { SourcesList } from "@/components/sources/sources-list";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";

export const metadata: Metadata = { title: "Sources" };

export default async function SourcesPage({ params }: { params: Promise<{ project: string }> }) {
  const { project } = await params;
  const qc = getQueryClient();
  await Promise.all([
    qc.prefetchQuery(trpc.sources.list.queryOptions({ project })),
    qc.prefetchQuery(trpc.featureViews.list.queryOptions({ project })),
  ]);
  return (
    <HydrateClient>
      <SourcesList project={project} />
    </HydrateClient>
  );
}
