import type { Metadata } from "next";
import { JobsList } from "@/components/jobs/jobs-list";
import { jobsInput, readJobsState } from "@/components/jobs/jobs-params";
import { toURLSearchParams } from "@/components/ui/url";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";

export const metadata: Metadata = { title: "Jobs" };

interface Props {
  params: Promise<{ project: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export default async function JobsPage({ params, searchParams }: Props) {
  const { project } = await params;
  const state = readJobsState(toURLSearchParams(await searchParams));
  const qc = getQueryClient();
  await Promise.all([
    qc.prefetchQuery(trpc.jobs.list.queryOptions(jobsInput(project, state))),
    qc.prefetchQuery(trpc.featureViews.list.queryOptions({ project })),
  ]);
  return (
    <HydrateClient>
      <JobsList project={project} />
    </HydrateClient>
  );
}
