import type { Metadata } from "next";
import { ObjectLineage } from "@/components/lineage/object-lineage";
import { TransformationScheduleCard } from "@/components/schedules/transformation-schedule-card";
import { runsInput } from "@/components/transformations/run-words";
import { TransformationPage } from "@/components/transformations/transformation-page";
import { toURLSearchParams } from "@/components/ui/url";
import { readViewState, viewInput } from "@/components/views/view-params";
import { lineageNodeId } from "@/server/registry/lineage/types";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";

interface Props {
  params: Promise<{ project: string; name: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { name } = await params;
  return { title: name };
}

export default async function TransformationDetailPage({ params, searchParams }: Props) {
  const { project, name } = await params;
  const state = readViewState(toURLSearchParams(await searchParams));
  const qc = getQueryClient();
  await Promise.all([
    qc.prefetchQuery(trpc.transformations.get.queryOptions(viewInput(project, name, state.version))),
    qc.prefetchQuery(trpc.transformations.versions.queryOptions({ project, name })),
    // The runs are there on arrival: no first fetch of them to race a Run click.
    qc.prefetchQuery(trpc.transformations.runs.queryOptions(runsInput(project, name))),
    qc.prefetchQuery(trpc.featureViews.list.queryOptions({ project })),
    state.compare &&
      qc.prefetchQuery(trpc.transformations.diff.queryOptions({ project, name, ...state.compare })),
  ]);
  return (
    <HydrateClient>
      <TransformationPage
        project={project}
        name={name}
        lineageSlot={<ObjectLineage project={project} nodeId={lineageNodeId("transformation", name)} />}
        scheduleSlot={<TransformationScheduleCard project={project} transformation={name} />}
      />
    </HydrateClient>
  );
}
