import type { Metadata } from "next";
import { TransformationForm } from "@/components/transformations/transformation-form";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";

export const metadata: Metadata = { title: "New transformation" };

export default async function NewTransformationPage({ params }: { params: Promise<{ project: string }> }) {
  const { project } = await params;
  const qc = getQueryClient();
  await qc.prefetchQuery(trpc.sources.list.queryOptions({ project }));
  return (
    <HydrateClient>
      <TransformationForm project={project} />
    </HydrateClient>
  );
}
