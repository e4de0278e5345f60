"use client";

import { useQuery } from "@tanstack/react-query";
import { Plus, Sheet } from "lucide-react";
import Link from "next/link";
import { useProjectRole } from "@/components/auth/use-project-role";
import { LiveIndicator } from "@/components/jobs/live-indicator";
import { Badge } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState } from "@/components/ui/error-state";
import { formatCount, plural } from "@/components/ui/format";
import { PageBody, PageHeader } from "@/components/ui/page-header";
import { RelativeTime } from "@/components/ui/relative-time";
import { SkeletonTable } from "@/components/ui/skeleton";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { Truncate } from "@/components/ui/truncate";
import type { Dataset } from "@/server/datasets/schemas";
import { useTRPC } from "@/trpc/client";
import { BuildProgressBar, DatasetStatusBadge } from "./dataset-status";
import { ENTITY_SOURCE_LABEL, formatBytes, isActiveDataset, selectionSummary } from "./format";
import { datasetHref } from "./links";

/** How often the list refreshes while a dataset is queued or building. */
const ACTIVE_REFRESH_MS = 2000;

export const DATASETS_DESCRIPTION =
  "Saved training data: for each entity row (join keys and a time), the feature values as they were at that time, built once by a job and kept to download.";

/** The project's saved datasets, newest first; refreshes itself while one is building. */
export function DatasetsList({ project }: { project: string }) {
  const trpc = useTRPC();
  const { can } = useProjectRole(project);
  const query = useQuery({
    ...trpc.datasets.list.queryOptions({ project }),
    refetchInterval: (q) =>
      q.state.data?.items.some((d) => isActiveDataset(d.status)) ? ACTIVE_REFRESH_MS : false,
  });
  const active = query.data?.items.filter((d) => isActiveDataset(d.status)).length ?? 0;
  const canCreate = can("definitions.write");
  /** "New dataset"; in the header of a narrow screen only its icon, named for screen readers. */
  const create = (compact: boolean) => (
    <ButtonLink
      href={datasetHref.new(project)}
      variant="primary"
      data-testid="new-dataset"
      title="New dataset"
    >
      <Plus className="size-4" aria-hidden />
      <span className={compact ? "max-sm:sr-only" : undefined}>New dataset</span>
    </ButtonLink>
  );

  return (
    <PageBody>
      <PageHeader title="Datasets" description={DATASETS_DESCRIPTION} actions={canCreate && create(true)} />
      {active > 0 && (
        <div className="mb-3">
          <LiveIndicator label={`${plural(active, "dataset")} building`} />
        </div>
      )}
      {query.isPending ? (
        <SkeletonTable rows={5} columns={8} />
      ) : query.isError ? (
        <ErrorState error={query.error} title="Could not load datasets" retry={() => query.refetch()} />
      ) : query.data.items.length === 0 ? (
        <EmptyState
          icon={Sheet}
          title="No datasets yet"
          description={
            <>
              A dataset holds point-in-time correct training rows: pick a feature service or features, give
              the entity rows (an uploaded CSV or Parquet file, a SQL query, or every entity of a view at a
              grid of times), and a job joins each row with the feature values as of its time. Preview before
              saving; download the result as CSV or Parquet.
            </>
          }
          action={canCreate ? create(false) : undefined}
        />
      ) : (
        <DatasetsTable project={project} items={query.data.items} />
      )}
    </PageBody>
  );
}

function DatasetsTable({ project, items }: { project: string; items: Dataset[] }) {
  return (
    // Narrow screens scroll the table sideways inside this box, never the page.
    <div className="max-md:overflow-x-auto max-md:pb-1">
      <div className="max-md:min-w-[44rem]">
        <Table aria-label="Datasets">
          <THead>
            <tr>
              <TH>Name</TH>
              <TH className="w-36">Status</TH>
              <TH className="w-24 text-right">Rows</TH>
              <TH className="w-20 text-right">Size</TH>
              <TH className="w-[16%]">Features</TH>
              <TH className="w-28">Entity rows</TH>
              <TH className="hidden w-[12%] lg:table-cell">Created by</TH>
              <TH className="w-24">Created</TH>
            </tr>
          </THead>
          <TBody>
            {items.map((d) => (
              <TR key={d.id} data-testid="dataset-row" data-name={d.name} data-status={d.status}>
                <TD>
                  <Truncate text={d.description ? `${d.name}\n${d.description}` : d.name}>
                    <Link
                      href={datasetHref.detail(project, d.name)}
                      className="font-mono text-[13px] font-medium text-zinc-900 hover:text-indigo-600"
                    >
                      {d.name}
                    </Link>
                  </Truncate>
                  {d.description && <p className="truncate text-xs text-zinc-500">{d.description}</p>}
                </TD>
                <TD>
                  <DatasetStatusBadge status={d.status} />
                  {isActiveDataset(d.status) && (
                    <div className="mt-1 flex flex-col gap-0.5">
                      <BuildProgressBar rowsDone={d.rowsDone} rowsTotal={d.rowsTotal} className="w-24" />
                      <span className="text-[11px] text-zinc-500 tabular-nums">
                        {formatCount(d.rowsDone)}
                        {d.rowsTotal !== null && ` / ${formatCount(d.rowsTotal)}`}
                      </span>
                    </div>
                  )}
                </TD>
                <TD className="text-right tabular-nums">
                  {d.status === "ready" && d.rowsTotal !== null ? (
                    formatCount(d.rowsTotal)
                  ) : (
                    <span className="text-zinc-400">—</span>
                  )}
                </TD>
                <TD
                  className="text-right whitespace-nowrap tabular-nums"
                  title={d.sizeBytes === null ? undefined : `${formatCount(d.sizeBytes)} bytes`}
                >
                  {d.sizeBytes === null ? <span className="text-zinc-400">—</span> : formatBytes(d.sizeBytes)}
                </TD>
                <TD>
                  {d.featureService ? (
                    <Truncate text={`Feature service ${d.featureService}`}>
                      <Badge tone="indigo" mono>
                        {d.featureService}
                      </Badge>
                    </Truncate>
                  ) : (
                    <Truncate text={(d.features ?? []).join("\n")} className="text-zinc-600">
                      {selectionSummary(d)}
                    </Truncate>
                  )}
                </TD>
                <TD>
                  <Badge
                    tone={
                      d.entitySourceKind === "grid"
                        ? "teal"
                        : d.entitySourceKind === "query"
                          ? "violet"
                          : "gray"
                    }
                  >
                    {ENTITY_SOURCE_LABEL[d.entitySourceKind]}
                  </Badge>
                </TD>
                <TD className="hidden lg:table-cell">
                  <Truncate text={d.createdBy} className="text-zinc-600" />
                </TD>
                <TD className="text-zinc-500">
                  <RelativeTime date={d.createdAt} />
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
      </div>
    </div>
  );
}
