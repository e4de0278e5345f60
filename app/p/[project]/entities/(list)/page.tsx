import type { Metadata } from "next";
import { EntitiesList } from "@/components/entities/entities-list";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";

export const metadata: Metadata = { title: "Entities" };

export default async function EntitiesPage({ params }: { params: Promise<{ project: string }> }) {
  const { project } = await params;
  const qc = getQueryClient();
  await Promise.all([
    qc.prefetchQuery(trpc.entities.list.queryOptions({ project })),
    qc.prefetchQuery(trpc.featureViews.list.queryOptions({ project })),
  ]);
  return (
    <HydrateClient>
      <EntitiesList project={project} />
    </HydrateClient>
  );
}
