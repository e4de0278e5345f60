import type { Metadata } from "next";
import { ServiceForm } from "@/components/services/service-form";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";

export const metadata: Metadata = { title: "New feature service" };

export default async function NewServiceFormPage({ params }: { params: Promise<{ project: string }> }) {
  const { project } = await params;
  const qc = getQueryClient();
  await Promise.all([
    qc.prefetchQuery(trpc.featureServices.list.queryOptions({ project })),
    qc.prefetchQuery(trpc.featureViews.list.queryOptions({ project })),
  ]);
  return (
    <HydrateClient>
      <ServiceForm project={project} />
    </HydrateClient>
  );
}
