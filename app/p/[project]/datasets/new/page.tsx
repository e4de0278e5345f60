import type { Metadata } from "next";
import { DatasetForm } from "@/components/datasets/dataset-form";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";

export const metadata: Metadata = { title: "New dataset" };

export default async function NewDatasetPage({ params }: { params: Promise<{ project: string }> }) {
  const { project } = await params;
  const qc = getQueryClient();
  await Promise.all([
    qc.prefetchQuery(trpc.featureViews.list.queryOptions({ project })),
    qc.prefetchQuery(trpc.featureServices.list.queryOptions({ project })),
  ]);
  return (
    <HydrateClient>
      <DatasetForm project={project} />
    </HydrateClient>
  );
}
