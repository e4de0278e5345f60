import type { Metadata } from "next";
import { FreshnessBoard } from "@/components/freshness/freshness-board";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";

export const metadata: Metadata = { title: "Freshness" };

export default async function FreshnessPage({ params }: { params: Promise<{ project: string }> }) {
  const { project } = await params;
  await getQueryClient().prefetchQuery(trpc.freshness.list.queryOptions({ project }));
  return (
    <HydrateClient>
      <FreshnessBoard project={project} />
    </HydrateClient>
  );
}
