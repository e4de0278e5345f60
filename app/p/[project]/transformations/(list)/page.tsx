import type { Metadata } from "next";
import { TransformationsList } from "@/components/transformations/transformations-list";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";

export const metadata: Metadata = { title: "Transformations" };

export default async function TransformationsPage({ params }: { params: Promise<{ project: string }> }) {
  const { project } = await params;
  const qc = getQueryClient();
  await qc.prefetchQuery(trpc.transformations.list.queryOptions({ project }));
  return (
    <HydrateClient>
      <TransformationsList project={project} />
    </HydrateClient>
  );
}
