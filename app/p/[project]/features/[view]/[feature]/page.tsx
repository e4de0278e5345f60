import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { FeaturePage } from "@/components/features/feature-page";
import { ObjectLineage } from "@/components/lineage/object-lineage";
import { NAME_PATTERN } from "@/server/core/name";
import { lineageNodeId } from "@/server/registry/lineage/types";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";
import { prefetchOr404 } from "../../../prefetch-or-404";

interface Props {
  params: Promise<{ project: string; view: string; feature: string }>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { view, feature } = await params;
  return { title: `${view}:${feature}` };
}

export default async function FeatureDetailPage({ params }: Props) {
  const { project, view, feature } = await params;
  if (!NAME_PATTERN.test(view) || !NAME_PATTERN.test(feature)) notFound();
  const qc = getQueryClient();
  // 404 for a view that does not exist, or one whose current version has no such feature.
  await Promise.all([
    prefetchOr404(async () => {
      const v = await qc.fetchQuery(trpc.featureViews.get.queryOptions({ project, name: view }));
      if (!v.spec.fields.some((f) => f.name === feature)) notFound();
    }),
    qc.prefetchQuery(trpc.features.history.queryOptions({ project, featureView: view, feature })),
  ]);
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
