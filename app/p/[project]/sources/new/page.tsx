import type { Metadata } from "next";
import { SourceForm } from "@/components/sources/source-form";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";

export const metadata: Metadata = { title: "New source" };

export default async function NewSourceFormPage({ params }: { params: Promise<{ project: string }> }) {
  const { project } = await params;
  const qc = getQueryClient();
  await Promise.all([qc.prefetchQuery(trpc.sources.list.queryOptions({ project }))]);
  return (
    <HydrateClient>
      <SourceForm project={project} />
    </HydrateClient>
  );
}
