"use client";

import { useQuery } from "@tanstack/react-query";
import { Plus, Radio } from "lucide-react";
import { useProjectRole } from "@/components/auth/use-project-role";
import { Badge } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState } from "@/components/ui/error-state";
import { humanizeSeconds } from "@/components/ui/format";
import { PageBody, PageHeader } from "@/components/ui/page-header";
import { SkeletonTable } from "@/components/ui/skeleton";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useTRPC } from "@/trpc/client";
import type { RouterOutputs } from "@/trpc/types";
import { NameCell, TextCell } from "../catalog/cells";
import { href } from "../catalog/links";
import { LagBadge, useStreamLag } from "./stream-lag";

type StreamView = RouterOutputs["streamViews"]["list"][number];

/** The distinct windows of a view, shortest first: "5 min, 1 h, 1 d". */
export function windowsOf(v: StreamView): string {
  return [...new Set(v.spec.aggregations.map((a) => a.windowSeconds))]
    .sort((a, b) => a - b)
    .map(humanizeSeconds)
    .join(", ");
}

/** Stream views: windowed aggregations per entity over a Redis Stream, with their consumers' lag. */
export function StreamList({ project }: { project: string }) {
  const trpc = useTRPC();
  const query = useQuery(trpc.streamViews.list.queryOptions({ project }));
  const lag = useStreamLag(project);
  const lagOf = (name: string) =>
    lag.data?.available ? lag.data.views.find((v) => v.name === name) : undefined;
  const { can } = useProjectRole(project);
  const create = can("definitions.write") && (
    <ButtonLink href={href.newStreamView(project)} variant="primary">
      <Plus className="size-4" aria-hidden />
      New stream view
    </ButtonLink>
  );

  return (
    <PageBody>
      <PageHeader
        title="Stream views"
        description="Counts, sums, averages and latest values per entity over sliding or tumbling windows, kept up to date from a Redis Stream and served by the online API."
        actions={create}
      />
      {lag.data && !lag.data.available && (
        <p role="status" className="mb-4 text-sm text-amber-800" data-testid="lag-unavailable">
          Consumer lag cannot be shown: {lag.data.reason}
        </p>
      )}
      {query.isPending ? (
        <SkeletonTable rows={4} columns={7} />
      ) : query.isError ? (
        <ErrorState error={query.error} title="Could not load stream views" retry={() => query.refetch()} />
      ) : query.data.length === 0 ? (
        <EmptyState
          icon={Radio}
          title="No stream views yet"
          description={
            <>
              A stream view reads events from a Redis Stream of this project (a key starting with "{project}
              :") and keeps windowed aggregations per entity, served by get-online-features as "view:feature".
              Define one, then run <code className="font-mono">npx quiver stream-worker</code> to consume it;{" "}
              <code className="font-mono">npx quiver demo-stream</code> feeds the demo's stream.
            </>
          }
          action={create}
        />
      ) : (
        <Table>
          <THead>
            <tr>
              <TH className="w-[20%]">Name</TH>
              <TH className="w-[16%]">Stream key</TH>
              <TH className="w-[12%] hidden lg:table-cell">Entities</TH>
              <TH className="w-28 text-right">Aggregations</TH>
              <TH className="hidden xl:table-cell">Windows</TH>
              <TH className="w-52">Consumer lag</TH>
              <TH className="w-20">Version</TH>
            </tr>
          </THead>
          <TBody>
            {query.data.map((v) => (
              <TR key={v.id}>
                <TD>
                  <NameCell
                    name={v.name}
                    description={v.spec.description}
                    href={href.streamView(project, v.name)}
                  />
                </TD>
                <TD>
                  <TextCell text={v.spec.stream.key} mono />
                </TD>
                <TD className="hidden lg:table-cell">
                  <TextCell text={v.spec.entities.join(", ")} mono />
                </TD>
                <TD className="text-right tabular-nums">{v.spec.aggregations.length}</TD>
                <TD className="hidden xl:table-cell">
                  <TextCell text={windowsOf(v)} />
                </TD>
                <TD>
                  <LagBadge row={lagOf(v.name)} />
                </TD>
                <TD>
                  <Badge tone="indigo" mono>
                    v{v.currentVersion}
                  </Badge>
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
      )}
    </PageBody>
  );
}
