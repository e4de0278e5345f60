import type { Metadata } from "next";
import { LineageExplorer } from "@/components/lineage/lineage-explorer";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";

export const metadata: Metadata = { title: "Lineage" };

/** The project's lineage DAG; `?focus=<node id>` (e.g. feature_view:driver_hourly_stats) highlights a node. */
export default async function LineagePage({ params }: { params: Promise<{ project: string }> }) {
  const { project } = await params;
  await getQueryClient().prefetchQuery(trpc.lineage.graph.queryOptions({ project }));
  return (
    <HydrateClient>
      <LineageExplorer project={project} />
    </HydrateClient>
  );
}
