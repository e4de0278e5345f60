import type { Metadata } from "next";
import { FeatureViewForm } from "@/components/views/feature-view-form";
import { NAME_PATTERN } from "@/server/core/name";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";

export const metadata: Metadata = { title: "Register feature view" };

interface Props {
  params: Promise<{ project: string }>;
  /** `?edit=<view>` opens the form on that view's current version to save the next one. */
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export default async function NewViewPage({ params, searchParams }: Props) {
  const { project } = await params;
  const { edit } = await searchParams;
  const editName = typeof edit === "string" && NAME_PATTERN.test(edit) ? edit : undefined;
  const qc = getQueryClient();
  await Promise.all([
    qc.prefetchQuery(trpc.entities.list.queryOptions({ project })),
    qc.prefetchQuery(trpc.sources.list.queryOptions({ project })),
    editName && qc.prefetchQuery(trpc.featureViews.get.queryOptions({ project, name: editName })),
  ]);
  return (
    <HydrateClient>
      <FeatureViewForm project={project} editName={editName} />
    </HydrateClient>
  );
}
