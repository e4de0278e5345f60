import type { Metadata } from "next";
import { EntityForm } from "@/components/entities/entity-form";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";

export const metadata: Metadata = { title: "New entity" };

export default async function NewEntityFormPage({ params }: { params: Promise<{ project: string }> }) {
  const { project } = await params;
  const qc = getQueryClient();
  await Promise.all([qc.prefetchQuery(trpc.entities.list.queryOptions({ project }))]);
  return (
    <HydrateClient>
      <EntityForm project={project} />
    </HydrateClient>
  );
}
