import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { BreachHistory } from "@/components/alerts/breach-history";
import { recentRunsInput } from "@/components/jobs/jobs-params";
import { MaterializePanel } from "@/components/jobs/materialize-panel";
import { SchedulePanel } from "@/components/schedules/schedule-panel";
import { toURLSearchParams } from "@/components/ui/url";
import { LagPanel } from "@/components/views/lag-chart";
import { UsagePanel } from "@/components/views/usage-panel";
import { ViewLineage } from "@/components/views/view-lineage";
import { ViewPage } from "@/components/views/view-page";
import { readViewState, viewInput } from "@/components/views/view-params";
import { NAME_PATTERN } from "@/server/core/name";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";

interface Props {
  params: Promise<{ project: string; name: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { name } = await params;
  return { title: name };
}

export default async function FeatureViewPage({ params, searchParams }: Props) {
  const { project, name } = await params;
  if (!NAME_PATTERN.test(name)) notFound();
  const state = readViewState(toURLSearchParams(await searchParams));
  const qc = getQueryClient();
  await Promise.all([
    qc.prefetchQuery(trpc.featureViews.get.queryOptions(viewInput(project, name, state.version))),
    qc.prefetchQuery(trpc.featureViews.versions.queryOptions({ project, name })),
    // The materialization panel has its runs on arrival: no first fetch of them to race a start.
    qc.prefetchQuery(trpc.jobs.list.queryOptions(recentRunsInput(project, name))),
    qc.prefetchQuery(trpc.schedules.get.queryOptions({ project, featureView: name })),
    state.compare &&
      qc.prefetchQuery(trpc.featureViews.diff.queryOptions({ project, name, ...state.compare })),
  ]);
  return (
    <HydrateClient>
      <ViewPage
        project={project}
        name={name}
        lineageSlot={<ViewLineage project={project} featureView={name} />}
        usageSlot={<UsagePanel project={project} featureView={name} />}
        lagSlot={<LagPanel project={project} featureView={name} />}
        materializationSlot={
          <div className="flex flex-col gap-6">
            <SchedulePanel project={project} featureView={name} />
            <MaterializePanel project={project} featureView={name} />
            <BreachHistory project={project} featureView={name} />
          </div>
        }
      />
    </HydrateClient>
  );
}
