import type { Metadata } from "next";
import { ViewsList } from "@/components/views/views-list";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";

export const metadata: Metadata = { title: "Feature views" };

export default async function ViewsPage({ params }: { params: Promise<{ project: string }> }) {
  const { project } = await params;
  await getQueryClient().prefetchQuery(trpc.featureViews.list.queryOptions({ project }));
  return (
    <HydrateClient>
      <ViewsList project={project} />
    </HydrateClient>
  );
}
