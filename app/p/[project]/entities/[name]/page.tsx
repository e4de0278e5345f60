import type { Metadata } from "next";
import { EntityPage } from "@/components/entities/entity-page";
import { ObjectLineage } from "@/components/lineage/object-lineage";
import { lineageNodeId } from "@/server/registry/lineage/types";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";

interface Props {
  params: Promise<{ project: string; name: string }>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { name } = await params;
  return { title: name };
}

export default async function EntityDetailPage({ params }: Props) {
  const { project, name } = await params;
  const qc = getQueryClient();
  await Promise.all([
    qc.prefetchQuery(trpc.entities.get.queryOptions({ project, name })),
    qc.prefetchQuery(trpc.featureViews.list.queryOptions({ project })),
    qc.prefetchQuery(trpc.entities.list.queryOptions({ project })),
  ]);
  return (
    <HydrateClient>
      <EntityPage
        project={project}
        name={name}
        lineageSlot={<ObjectLineage project={project} nodeId={lineageNodeId("entity", name)} />}
      />
    </HydrateClient>
  );
}
