import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { TransformationForm } from "@/components/transformations/transformation-form";
import { NAME_PATTERN } from "@/server/core/name";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";
import { prefetchOr404 } from "../../../prefetch-or-404";

interface Props {
  params: Promise<{ project: string; name: string }>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { name } = await params;
  return { title: `Edit ${name}` };
}

export default async function EditTransformationPage({ params }: Props) {
  const { project, name } = await params;
  if (!NAME_PATTERN.test(name)) notFound();
  const qc = getQueryClient();
  // An unknown name is a 404 page, not a form that cannot load.
  await prefetchOr404(() => qc.fetchQuery(trpc.transformations.get.queryOptions({ project, name })));
  await qc.prefetchQuery(trpc.sources.list.queryOptions({ project }));
  return (
    <HydrateClient>
      <TransformationForm project={project} editName={name} />
    </HydrateClient>
  );
}
