import type { Metadata } from "next";
import { OnDemandPage } from "@/components/on-demand/on-demand-page";
import { toURLSearchParams } from "@/components/ui/url";
import { readViewState, viewInput } from "@/components/views/view-params";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";

interface Props {
  params: Promise<{ project: string; name: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { name } = await params;
  return { title: name };
}

/** `?version=N` shows a past version, `?from=A&to=B` opens the diff of two (as a feature view's page). */
export default async function OnDemandViewPage({ params, searchParams }: Props) {
  const { project, name } = await params;
  const state = readViewState(toURLSearchParams(await searchParams));
  const qc = getQueryClient();
  await Promise.all([
    qc.prefetchQuery(trpc.onDemandViews.get.queryOptions(viewInput(project, name, state.version))),
    qc.prefetchQuery(trpc.onDemandViews.versions.queryOptions({ project, name })),
    qc.prefetchQuery(trpc.featureViews.list.queryOptions({ project })),
    qc.prefetchQuery(trpc.entities.list.queryOptions({ project })),
    qc.prefetchQuery(trpc.featureServices.list.queryOptions({ project })),
    state.compare &&
      qc.prefetchQuery(trpc.onDemandViews.diff.queryOptions({ project, name, ...state.compare })),
  ]);
  return (
    <HydrateClient>
      <OnDemandPage project={project} name={name} />
    </HydrateClient>
  );
}
