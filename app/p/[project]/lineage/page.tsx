import type { Metadata } from "next";
import { focusInput } from "@/components/lineage/explore-state";
import { LineageExplorer } from "@/components/lineage/lineage-explorer";
import { parseLineageUrl } from "@/components/lineage/links";
import { toURLSearchParams } from "@/components/ui/url";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";

export const metadata: Metadata = { title: "Lineage" };

interface Props {
  params: Promise<{ project: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

/**
 * The project's lineage. `?focus=<node id>` (e.g. feature_view:driver_hourly_stats) draws that
 * node's bounded neighbourhood; without it, the summary and (small projects) the folded graph.
 * Either way the HTML carries a bounded answer, never the whole graph.
 */
export default async function LineagePage({ params, searchParams }: Props) {
  const { project } = await params;
  const url = parseLineageUrl(toURLSearchParams(await searchParams));
  const qc = getQueryClient();
  await (url.focus
    ? qc.prefetchQuery(trpc.lineage.neighborhood.queryOptions(focusInput(project, url.focus, url.dir)))
    : qc.prefetchQuery(trpc.lineage.overview.queryOptions({ project })));
  return (
    <HydrateClient>
      <LineageExplorer project={project} />
    </HydrateClient>
  );
}
