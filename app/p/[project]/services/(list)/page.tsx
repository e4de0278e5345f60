import type { Metadata } from "next";
import { ServicesList } from "@/components/services/services-list";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";

export const metadata: Metadata = { title: "Services" };

export default async function ServicesPage({ params }: { params: Promise<{ project: string }> }) {
  const { project } = await params;
  const qc = getQueryClient();
  await Promise.all([
    qc.prefetchQuery(trpc.featureServices.list.queryOptions({ project })),
    qc.prefetchQuery(trpc.consumers.list.queryOptions({ project })),
  ]);
  return (
    <HydrateClient>
      <ServicesList project={project} />
    </HydrateClient>
  );
}
