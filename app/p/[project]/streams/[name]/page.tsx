import type { Metadata } from "next";
import { StreamPage } from "@/components/streams/stream-page";
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

export default async function StreamViewPage({ params, searchParams }: Props) {
  const { project, name } = await params;
  const state = readViewState(toURLSearchParams(await searchParams));
  const qc = getQueryClient();
  await Promise.all([
    qc.prefetchQuery(trpc.streamViews.get.queryOptions(viewInput(project, name, state.version))),
    qc.prefetchQuery(trpc.streamViews.versions.queryOptions({ project, name })),
    qc.prefetchQuery(trpc.entities.list.queryOptions({ project })),
  ]);
  return (
    <HydrateClient>
      <StreamPage project={project} name={name} />
    </HydrateClient>
  );
}
