import type { Metadata } from "next";
import { FeatureSearch } from "@/components/features/feature-search";
import { readSearchState, searchInput } from "@/components/features/search-params";
import { toURLSearchParams } from "@/components/ui/url";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";

export const metadata: Metadata = { title: "Features" };

interface Props {
  params: Promise<{ project: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export default async function FeaturesPage({ params, searchParams }: Props) {
  const { project } = await params;
  const state = readSearchState(toURLSearchParams(await searchParams));
  await getQueryClient().prefetchQuery(trpc.search.features.queryOptions(searchInput(project, state)));
  return (
    <HydrateClient>
      <FeatureSearch project={project} />
    </HydrateClient>
  );
}
