import type { Metadata } from "next";
import { OnDemandList } from "@/components/on-demand/on-demand-list";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";

export const metadata: Metadata = { title: "On-demand views" };

export default async function OnDemandViewsPage({ params }: { params: Promise<{ project: string }> }) {
  const { project } = await params;
  const qc = getQueryClient();
  await qc.prefetchQuery(trpc.onDemandViews.list.queryOptions({ project }));
  return (
    <HydrateClient>
      <OnDemandList project={project} />
    </HydrateClient>
  );
}
