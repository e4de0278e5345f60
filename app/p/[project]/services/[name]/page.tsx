import type { Metadata } from "next";
import { ObjectLineage } from "@/components/lineage/object-lineage";
import { ServicePage } from "@/components/services/service-page";
import { lineageNodeId } from "@/server/registry/lineage/types";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";

interface Props {
  params: Promise<{ project: string; name: string }>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { name } = await params;
  return { title: name };
}

export default async function ServiceDetailPage({ params }: Props) {
  const { project, name } = await params;
  const qc = getQueryClient();
  await Promise.all([
    qc.prefetchQuery(trpc.featureServices.get.queryOptions({ project, name })),
    qc.prefetchQuery(trpc.featureViews.list.queryOptions({ project })),
    qc.prefetchQuery(trpc.entities.list.queryOptions({ project })),
    qc.prefetchQuery(trpc.consumers.list.queryOptions({ project })),
  ]);
  return (
    <HydrateClient>
      <ServicePage
        project={project}
        name={name}
        lineageSlot={<ObjectLineage project={project} nodeId={lineageNodeId("feature_service", name)} />}
      />
    </HydrateClient>
  );
}
