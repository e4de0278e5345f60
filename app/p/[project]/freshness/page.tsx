import type { Metadata } from "next";
import { FreshnessBoard } from "@/components/freshness/freshness-board";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";

export const metadata: Metadata = { title: "Freshness" };

export default async function FreshnessPage({ params }: { params: Promise<{ project: string }> }) {
  const { project } = await params;
  const client = getQueryClient();
  await Promise.all([
    client.prefetchQuery(trpc.freshness.list.queryOptions({ project })),
    client.prefetchQuery(trpc.freshness.engines.queryOptions({ project })),
  ]);
  return (
    <HydrateClient>
      <FreshnessBoard project={project} />
    </HydrateClient>
  );
}
