import type { Metadata } from "next";
import { DatasetsList } from "@/components/datasets/datasets-list";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";

export const metadata: Metadata = { title: "Datasets" };

export default async function DatasetsPage({ params }: { params: Promise<{ project: string }> }) {
  const { project } = await params;
  await getQueryClient().prefetchQuery(trpc.datasets.list.queryOptions({ project }));
  return (
    <HydrateClient>
      <DatasetsList project={project} />
    </HydrateClient>
  );
}
