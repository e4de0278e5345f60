import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { SourceForm } from "@/components/sources/source-form";
import { NAME_PATTERN } from "@/server/core/name";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";

interface Props {
  params: Promise<{ project: string; name: string }>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { name } = await params;
  return { title: `Edit ${name}` };
}

export default async function EditSourceFormPage({ params }: Props) {
  const { project, name } = await params;
  if (!NAME_PATTERN.test(name)) notFound();
  const qc = getQueryClient();
  await Promise.all([
    qc.prefetchQuery(trpc.sources.get.queryOptions({ project, name })),
    qc.prefetchQuery(trpc.sources.list.queryOptions({ project })),
  ]);
  return (
    <HydrateClient>
      <SourceForm project={project} editName={name} />
    </HydrateClient>
  );
}
