"use client";

import { useQuery } from "@tanstack/react-query";
import { Plus, Workflow } from "lucide-react";
import Link from "next/link";
import { useProjectRole } from "@/components/auth/use-project-role";
import { NameCell, TextCell } from "@/components/catalog/cells";
import { href } from "@/components/catalog/links";
import { isActiveStatus, RunStatusBadge } from "@/components/jobs/run-status";
import { ButtonLink } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState } from "@/components/ui/error-state";
import { PageBody, PageHeader } from "@/components/ui/page-header";
import { RelativeTime } from "@/components/ui/relative-time";
import { SkeletonTable } from "@/components/ui/skeleton";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { Truncate } from "@/components/ui/truncate";
import { useTRPC } from "@/trpc/client";
import { EngineBadge } from "./engine-badge";

/** How often the list refreshes while a run is queued or running (its status column moves). */
const ACTIVE_REFRESH_MS = 2000;

/** Batch SQL transformations: their engine, output source, version, last run and watermark. */
export function TransformationsList({ project }: { project: string }) {
  const trpc = useTRPC();
  const query = useQuery({
    ...trpc.transformations.list.queryOptions({ project }),
    refetchInterval: (q) =>
      q.state.data?.some((t) => t.lastRun && isActiveStatus(t.lastRun.status)) ? ACTIVE_REFRESH_MS : false,
  });
  const { can } = useProjectRole(project);
  const create = can("definitions.write") && (
    <ButtonLink href={href.newTransformation(project)} variant="primary">
      <Plus className="size-4" aria-hidden />
      New transformation
    </ButtonLink>
  );

  return (
    <PageBody>
      <PageHeader
        title="Transformations"
        description="SQL over the project's sources, run into a table of the offline store: its output is a source that feature views read. Runs are incremental by event time when the SQL allows it."
        actions={create}
      />
      {query.isPending ? (
        <SkeletonTable rows={4} columns={7} />
      ) : query.isError ? (
        <ErrorState
          error={query.error}
          title="Could not load transformations"
          retry={() => query.refetch()}
        />
      ) : query.data.length === 0 ? (
        <EmptyState
          icon={Workflow}
          title="No transformations yet"
          description={
            <>
              A transformation is one SELECT over the project's sources (window aggregates allowed, such as
              each driver's trips in the last 7 days). Quiver runs it on a schedule or on demand into a table,
              keeps its versions, runs and column lineage, and registers the table as a{" "}
              <Link href={href.sources(project)} className="text-indigo-600 hover:underline">
                source
              </Link>{" "}
              for feature views.
            </>
          }
          action={create}
        />
      ) : (
        <Table mobile="cards" aria-label="Transformations">
          <THead>
            <tr>
              <TH className="w-[22%]">Name</TH>
              <TH className="w-28">Engine</TH>
              <TH>Output source</TH>
              <TH className="w-20">Version</TH>
              <TH className="w-36">Last run</TH>
              <TH className="w-32">Computed until</TH>
              <TH className="hidden w-[14%] xl:table-cell">Owner</TH>
            </tr>
          </THead>
          <TBody>
            {query.data.map((t) => (
              <TR key={t.id} data-testid={`transformation-row-${t.name}`}>
                <TD label="Name">
                  <NameCell
                    name={t.name}
                    description={t.description}
                    href={href.transformation(project, t.name)}
                  />
                </TD>
                <TD label="Engine">
                  <EngineBadge engine={t.engine} incremental={t.incremental} />
                </TD>
                <TD label="Output source">
                  <Truncate text={t.outputSource} mono>
                    <Link
                      href={href.source(project, t.outputSource)}
                      className="text-indigo-600 hover:underline"
                    >
                      {t.outputSource}
                    </Link>
                  </Truncate>
                </TD>
                <TD label="Version">
                  <span className="font-mono text-[13px] text-zinc-700">v{t.currentVersion}</span>
                </TD>
                <TD label="Last run">
                  {t.lastRun ? (
                    <span className="inline-flex min-w-0 items-center gap-2">
                      <RunStatusBadge status={t.lastRun.status} />
                      <RelativeTime date={t.lastRun.createdAt} className="text-xs text-zinc-500" />
                    </span>
                  ) : (
                    <span className="text-zinc-400">never run</span>
                  )}
                </TD>
                <TD label="Computed until" className="text-zinc-600">
                  {t.computedUntil ? (
                    <RelativeTime date={t.computedUntil} />
                  ) : (
                    <span className="text-zinc-400">—</span>
                  )}
                </TD>
                <TD label="Owner" className="hidden xl:table-cell">
                  <TextCell text={t.owner} />
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
      )}
    </PageBody>
  );
}
