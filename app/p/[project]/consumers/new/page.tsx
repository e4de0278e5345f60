import type { Metadata } from "next";
import { ConsumerForm } from "@/components/consumers/consumer-form";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";

export const metadata: Metadata = { title: "New consumer" };

export default async function NewConsumerFormPage({ params }: { params: Promise<{ project: string }> }) {
  const { project } = await params;
  const qc = getQueryClient();
  await Promise.all([
    qc.prefetchQuery(trpc.consumers.list.queryOptions({ project })),
    qc.prefetchQuery(trpc.featureServices.list.queryOptions({ project })),
  ]);
  return (
    <HydrateClient>
      <ConsumerForm project={project} />
    </HydrateClient>
  );
}
