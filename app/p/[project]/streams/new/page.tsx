import type { Metadata } from "next";
import { StreamForm } from "@/components/streams/stream-form";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";

export const metadata: Metadata = { title: "New stream view" };

export default async function NewStreamViewPage({ params }: { params: Promise<{ project: string }> }) {
  const { project } = await params;
  await getQueryClient().prefetchQuery(trpc.entities.list.queryOptions({ project }));
  return (
    <HydrateClient>
      <StreamForm project={project} />
    </HydrateClient>
  );
}
