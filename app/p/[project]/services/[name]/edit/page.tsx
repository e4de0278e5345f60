import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ServiceForm } from "@/components/services/service-form";
import { NAME_PATTERN } from "@/server/core/name";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";

interface Props {
  params: Promise<{ project: string; name: string }>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { name } = await params;
  return { title: `Edit ${name}` };
}

export default async function EditServiceFormPage({ params }: Props) {
  const { project, name } = await params;
  if (!NAME_PATTERN.test(name)) notFound();
  const qc = getQueryClient();
  await Promise.all([
    qc.prefetchQuery(trpc.featureServices.get.queryOptions({ project, name })),
    qc.prefetchQuery(trpc.featureServices.list.queryOptions({ project })),
    qc.prefetchQuery(trpc.featureViews.list.queryOptions({ project })),
  ]);
  return (
    <HydrateClient>
      <ServiceForm project={project} editName={name} />
    </HydrateClient>
  );
}
