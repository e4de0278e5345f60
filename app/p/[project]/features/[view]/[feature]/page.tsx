import type { Metadata } from "next";
import { FeaturePage } from "@/components/features/feature-page";
import { ObjectLineage } from "@/components/lineage/object-lineage";
import { lineageNodeId } from "@/server/registry/lineage/types";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";

interface Props {
  params: Promise<{ project: string; view: string; feature: string }>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { view, feature } = await params;
  return { title: `${view}:${feature}` };
}

export default async function FeatureDetailPage({ params }: Props) {
  const { project, view, feature } = await params;
  const qc = getQueryClient();
  // The layout has answered 404 for an unknown view or feature, and fetched the view.
  await qc.prefetchQuery(trpc.features.history.queryOptions({ project, featureView: view, feature }));
  return (
    <HydrateClient>
      <FeaturePage
        project={project}
        featureView={view}
        feature={feature}
        lineageSlot={<ObjectLineage project={project} nodeId={lineageNodeId("feature", view, feature)} />}
      />
    </HydrateClient>
  );
}
