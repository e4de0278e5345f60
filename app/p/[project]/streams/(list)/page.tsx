import type { Metadata } from "next";
import { StreamList } from "@/components/streams/stream-list";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";

export const metadata: Metadata = { title: "Stream views" };

export default async function StreamViewsPage({ params }: { params: Promise<{ project: string }> }) {
  const { project } = await params;
  const qc = getQueryClient();
  // the lag is left to the client: it polls it, and a slow Redis must not hold the page
  await qc.prefetchQuery(trpc.streamViews.list.queryOptions({ project }));
  return (
    <HydrateClient>
      <StreamList project={project} />
    </HydrateClient>
  );
}
