import type { Metadata } from "next";
import { OnDemandForm } from "@/components/on-demand/on-demand-form";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";

export const metadata: Metadata = { title: "New on-demand view" };

export default async function NewOnDemandViewPage({ params }: { params: Promise<{ project: string }> }) {
  const { project } = await params;
  const qc = getQueryClient();
  await Promise.all([
    qc.prefetchQuery(trpc.featureViews.list.queryOptions({ project })),
    qc.prefetchQuery(trpc.onDemandViews.list.queryOptions({ project })),
  ]);
  return (
    <HydrateClient>
      <OnDemandForm project={project} />
    </HydrateClient>
  );
}
