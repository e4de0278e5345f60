import type { Metadata } from "next";
import { ConsumersList } from "@/components/consumers/consumers-list";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";

export const metadata: Metadata = { title: "Consumers" };

export default async function ConsumersPage({ params }: { params: Promise<{ project: string }> }) {
  const { project } = await params;
  await getQueryClient().prefetchQuery(trpc.consumers.list.queryOptions({ project }));
  return (
    <HydrateClient>
      <ConsumersList project={project} />
    </HydrateClient>
  );
}
