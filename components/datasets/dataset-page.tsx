"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { ArrowLeft, CircleAlert, Download, Lock, Sheet } from "lucide-react";
import Link from "next/link";
import { type ReactNode, useEffect, useRef } from "react";
import { useProjectRole } from "@/components/auth/use-project-role";
import { href } from "@/components/catalog/links";
import { LiveIndicator } from "@/components/jobs/live-indicator";
import { formatDuration, formatUtc, runDurationSeconds } from "@/components/jobs/run-format";
import { Badge } from "@/components/ui/badge";
import { ButtonLink, buttonClasses } from "@/components/ui/button";
import { Card, Description, DescriptionList } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState, isNotFound } from "@/components/ui/error-state";
import { formatCount, humanizeSeconds, plural } from "@/components/ui/format";
import { PageBody, PageHeader } from "@/components/ui/page-header";
import { RelativeTime } from "@/components/ui/relative-time";
import { Section } from "@/components/ui/section";
import { Skeleton, SkeletonTable } from "@/components/ui/skeleton";
import { Truncate } from "@/components/ui/truncate";
import type { Dataset } from "@/server/datasets/schemas";
import { useTRPC } from "@/trpc/client";
import { CancelBuildButton, DeleteDatasetButton } from "./dataset-actions";
import { BuildProgressBar, DatasetStatusBadge } from "./dataset-status";
import { FetchPanel } from "./fetch-panel";
import { exampleEntities } from "./fetch-snippets";
import { ENTITY_SOURCE_LABEL, formatBytes, isActiveDataset } from "./format";
import { datasetHref } from "./links";
import { NullRates } from "./null-rates";
import { RowsTable } from "./rows-table";
import { DatasetPageSkeleton } from "./skeletons";

/** How often the page refreshes while the dataset is queued or building. */
const ACTIVE_REFRESH_MS = 1500;

/** One saved dataset: its build, facts, first rows, null rates, downloads and the API call. */
export function DatasetPage({ project, name }: { project: string; name: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { can } = useProjectRole(project);
  const dataset = useQuery({
    ...trpc.datasets.get.queryOptions({ project, name }),
    refetchInterval: (q) =>
      q.state.data && isActiveDataset(q.state.data.status) ? ACTIVE_REFRESH_MS : false,
  });
  const ready = dataset.data?.status === "ready";
  const canRead = can("values.read");
  const preview = useQuery({
    ...trpc.datasets.preview.queryOptions({ project, name }),
    enabled: ready && canRead,
  });

  // When the build ends, the list's row has changed too.
  const status = dataset.data?.status;
  const wasActive = useRef(status !== undefined && isActiveDataset(status));
  useEffect(() => {
    const active = status !== undefined && isActiveDataset(status);
    if (wasActive.current && !active) void queryClient.invalidateQueries(trpc.datasets.list.pathFilter());
    wasActive.current = active;
  }, [status, queryClient, trpc]);

  const back = (
    <Link href={datasetHref.list(project)} className="inline-flex items-center gap-1 hover:text-zinc-900">
      <ArrowLeft className="size-3.5" aria-hidden />
      Datasets
    </Link>
  );

  if (dataset.isPending) return <DatasetPageSkeleton />;
  if (dataset.isError)
    return (
      <PageBody>
        <PageHeader eyebrow={back} title={<span title={name}>{name}</span>} />
        {isNotFound(dataset.error) ? (
          <EmptyState
            icon={Sheet}
            title="Dataset not found"
            description={`There is no dataset "${name}" in this project; it may have been deleted.`}
            action={<ButtonLink href={datasetHref.list(project)}>All datasets</ButtonLink>}
          />
        ) : (
          <ErrorState
            error={dataset.error}
            title="Could not load this dataset"
            retry={() => dataset.refetch()}
          />
        )}
      </PageBody>
    );

  const d = dataset.data;
  const active = isActiveDataset(d.status);
  const downloads = ready && canRead && (
    <>
      <a
        href={datasetHref.download(project, d.name, "csv")}
        download
        className={buttonClasses("secondary", "sm")}
        data-testid="download-csv"
      >
        <Download className="size-3.5" aria-hidden />
        CSV
      </a>
      <a
        href={datasetHref.download(project, d.name, "parquet")}
        download
        className={buttonClasses("secondary", "sm")}
        data-testid="download-parquet"
      >
        <Download className="size-3.5" aria-hidden />
        Parquet
      </a>
    </>
  );
  const remove = can("definitions.write") && !active && (
    <DeleteDatasetButton project={project} name={d.name} />
  );

  return (
    <PageBody>
      <PageHeader
        eyebrow={back}
        title={
          <span className="font-mono" title={d.name}>
            {d.name}
          </span>
        }
        meta={
          <>
            <DatasetStatusBadge status={d.status} />
            <Badge tone={d.storageKind === "parquet" ? "violet" : "blue"}>{d.storageKind}</Badge>
          </>
        }
        description={
          // Long names and emails break anywhere rather than widen a narrow screen (also below).
          <div className="flex flex-col gap-2 wrap-anywhere">
            {d.description && (
              <p className="break-words whitespace-pre-line text-zinc-600">{d.description}</p>
            )}
            <p className="text-xs text-zinc-500">
              Created by <span className="font-medium text-zinc-700">{d.createdBy}</span>{" "}
              <RelativeTime date={d.createdAt} />
            </p>
          </div>
        }
      />
      <div className="flex flex-col gap-6 wrap-anywhere">
        {(downloads || remove) && (
          // Below the header rather than in it, so the buttons wrap on a narrow screen.
          <div className="-mt-2 flex flex-wrap items-start gap-2">
            {downloads && (
              <span className="inline-flex flex-wrap items-center gap-2">
                <span className="text-xs text-zinc-500">Download</span>
                {downloads}
              </span>
            )}
            {remove && <span className="ml-auto">{remove}</span>}
          </div>
        )}
        {active && <BuildCard project={project} dataset={d} canCancel={can("definitions.write")} />}
        {d.status === "failed" && d.error && (
          <div
            role="alert"
            data-testid="dataset-error"
            className="flex items-start gap-3 rounded-lg border border-red-200 bg-red-50/60 px-4 py-3 text-sm text-red-800"
          >
            <CircleAlert className="mt-0.5 size-4 shrink-0 text-red-500" aria-hidden />
            <div className="min-w-0">
              <p className="font-medium">The build failed</p>
              <p className="mt-0.5 font-mono text-xs break-words whitespace-pre-wrap">{d.error}</p>
            </div>
          </div>
        )}
        <div className="grid grid-cols-1 gap-6 xl:grid-cols-[minmax(0,1fr)_24rem]">
          <div className="flex min-w-0 flex-col gap-6">
            <Section
              title="First rows"
              description={
                preview.data
                  ? `The first ${plural(preview.data.rows.length, "row")} of ${formatCount(preview.data.rowCount ?? d.rowsTotal ?? 0)}; entity columns first.`
                  : "The first rows of the dataset; entity columns first."
              }
            >
              {!canRead ? (
                <RoleNote>Reading the rows needs the consumer role in this project.</RoleNote>
              ) : !ready ? (
                <p className="rounded-lg border border-dashed border-zinc-300 px-4 py-8 text-center text-sm text-zinc-500">
                  {active
                    ? "The rows appear here once the build is done."
                    : `No rows: the build ${d.status === "failed" ? "failed" : "was cancelled"}.`}
                </p>
              ) : preview.isPending ? (
                <SkeletonTable rows={6} columns={6} />
              ) : preview.isError ? (
                <ErrorState
                  error={preview.error}
                  title="Could not read the rows"
                  retry={() => preview.refetch()}
                />
              ) : (
                <RowsTable data={preview.data} label="First rows of the dataset" />
              )}
            </Section>
          </div>
          <div className="flex min-w-0 flex-col gap-4">
            <FactsCard project={project} dataset={d} />
            {ready && canRead && (
              <Card
                title="Null rates"
                description="Share of null values per feature, over the whole dataset."
              >
                {preview.data ? (
                  <NullRates rates={preview.data.nullRates} />
                ) : preview.isError ? (
                  <p className="text-sm text-zinc-500">Not available: the rows could not be read.</p>
                ) : (
                  <div className="flex flex-col gap-2" role="status" aria-label="Loading">
                    <Skeleton className="h-3 w-full" />
                    <Skeleton className="h-3 w-5/6" />
                    <Skeleton className="h-3 w-2/3" />
                  </div>
                )}
              </Card>
            )}
          </div>
        </div>
        {preview.data && (
          <FetchPanel
            project={project}
            name={d.name}
            selection={d}
            entities={exampleEntities(preview.data)}
          />
        )}
      </div>
    </PageBody>
  );
}

function RoleNote({ children }: { children: ReactNode }) {
  return (
    <p
      data-testid="role-note"
      className="flex items-center gap-2 rounded-lg border border-dashed border-zinc-300 px-4 py-8 text-sm text-zinc-500 max-sm:flex-col sm:justify-center"
    >
      <Lock className="size-4 shrink-0 text-zinc-400" aria-hidden />
      {children}
    </p>
  );
}

function BuildCard({
  project,
  dataset: d,
  canCancel,
}: {
  project: string;
  dataset: Dataset;
  canCancel: boolean;
}) {
  return (
    <Card
      title={d.status === "queued" ? "Waiting for a worker" : "Building"}
      description="Joining every entity row with its point-in-time feature values."
    >
      <div className="flex flex-col gap-2">
        <BuildProgressBar rowsDone={d.rowsDone} rowsTotal={d.rowsTotal} className="h-2" />
        <div className="flex flex-wrap items-center justify-between gap-2">
          <p className="text-xs text-zinc-600 tabular-nums" data-testid="build-progress">
            {formatCount(d.rowsDone)}
            {d.rowsTotal !== null ? ` of ${formatCount(d.rowsTotal)}` : ""} rows
            {d.startedAt && (
              <>
                {" · started "}
                <RelativeTime date={d.startedAt} />
              </>
            )}
          </p>
          <span className="inline-flex flex-wrap items-center gap-3">
            <LiveIndicator label={d.status} />
            {canCancel && <CancelBuildButton project={project} name={d.name} />}
          </span>
        </div>
      </div>
    </Card>
  );
}

const none = <span className="text-zinc-400">—</span>;

function FactsCard({ project, dataset: d }: { project: string; dataset: Dataset }) {
  const seconds = runDurationSeconds(d);
  const versions = Object.entries(d.viewVersions).sort(([a], [b]) => a.localeCompare(b));
  return (
    <Card title="Facts">
      <DescriptionList className="max-sm:grid-cols-1 max-sm:gap-y-1">
        <Description label="Rows">
          <span className="tabular-nums" data-testid="fact-rows">
            {d.rowsTotal === null
              ? none
              : d.status === "ready"
                ? formatCount(d.rowsTotal)
                : `${formatCount(d.rowsDone)} of ${formatCount(d.rowsTotal)} built`}
          </span>
        </Description>
        <Description label="Size">
          {d.sizeBytes === null ? (
            none
          ) : (
            <span title={`${formatCount(d.sizeBytes)} bytes`}>{formatBytes(d.sizeBytes)}</span>
          )}
        </Description>
        <Description label="Storage">
          <span className="flex min-w-0 flex-col gap-0.5">
            <span>{d.storageKind === "parquet" ? "Parquet file" : "Table in the offline store"}</span>
            {d.storageLocation && (
              <Truncate text={d.storageLocation} mono className="text-xs text-zinc-500" />
            )}
          </span>
        </Description>
        <Description label="Entity rows">
          <EntitySourceFacts project={project} dataset={d} />
        </Description>
        <Description label={d.featureService ? "Service" : "Features"}>
          {d.featureService ? (
            <Link
              href={`${href.services(project)}#service-${encodeURIComponent(d.featureService)}`}
              className="font-mono text-[13px] text-indigo-600 hover:underline"
            >
              {d.featureService}
            </Link>
          ) : (
            <FeatureList project={project} refs={d.features ?? []} />
          )}
          {d.fullFeatureNames && <p className="text-xs text-zinc-500">Columns named view__feature</p>}
        </Description>
        <Description label="View versions">
          {versions.length === 0 ? (
            none
          ) : (
            <ul className="flex flex-wrap gap-1.5">
              {versions.map(([view, version]) => (
                <li key={view} className="min-w-0">
                  <Link
                    href={href.view(project, view, version)}
                    title={`${view}, version ${version}`}
                    className="inline-flex max-w-full items-center gap-1 rounded border border-zinc-200 px-1.5 font-mono text-xs text-indigo-600 hover:bg-indigo-50"
                  >
                    <span className="truncate">{view}</span>
                    <span className="shrink-0 text-zinc-500">v{version}</span>
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </Description>
        {d.consumers.length > 0 && (
          <Description label="Models">
            <Truncate text={d.consumers.join(", ")} mono />
          </Description>
        )}
        <Description label="Created">
          <span className="flex flex-col">
            <Truncate text={d.createdBy} />
            <span className="text-xs text-zinc-500" title={d.createdAt.toISOString()}>
              {formatUtc(d.createdAt)} UTC
            </span>
          </span>
        </Description>
        <Description label="Duration">
          {/* A build's duration grows between the server's render and the browser's. */}
          <span className="tabular-nums" suppressHydrationWarning>
            {seconds === null ? none : formatDuration(seconds)}
          </span>
        </Description>
        {d.error && d.status !== "failed" && (
          <Description label="Note">
            <span className="text-xs break-words text-zinc-600">{d.error}</span>
          </Description>
        )}
      </DescriptionList>
    </Card>
  );
}

function EntitySourceFacts({ project, dataset: d }: { project: string; dataset: Dataset }) {
  const s = d.entitySource;
  return (
    <span className="flex min-w-0 flex-col gap-1">
      <span>{ENTITY_SOURCE_LABEL[s.kind]}</span>
      {s.kind === "upload" && (
        <span className="flex min-w-0 items-baseline gap-1 text-xs text-zinc-500">
          <Truncate text={s.fileName} mono />
          <span className="shrink-0">({s.format})</span>
        </span>
      )}
      {s.kind === "query" && (
        <pre className="max-h-32 overflow-auto rounded bg-zinc-50 p-2 font-mono text-xs whitespace-pre-wrap text-zinc-700 ring-1 ring-zinc-200">
          {s.sql}
        </pre>
      )}
      {s.kind === "grid" && (
        <span className="flex flex-col text-xs text-zinc-500">
          <span>
            Every entity of{" "}
            <Link href={href.view(project, s.view)} className="font-mono text-indigo-600 hover:underline">
              {s.view}
            </Link>
          </span>
          <span>
            {formatUtc(new Date(s.start))} → {formatUtc(new Date(s.end))} UTC
          </span>
          <span>every {humanizeSeconds(s.stepSeconds)}</span>
        </span>
      )}
    </span>
  );
}

/** "view:feature" references grouped by view, each view a link. */
function FeatureList({ project, refs }: { project: string; refs: string[] }) {
  const byView = new Map<string, string[]>();
  for (const ref of refs) {
    const [view = "", feature = ""] = ref.split(":");
    byView.set(view, [...(byView.get(view) ?? []), feature]);
  }
  return (
    <ul className="flex flex-col gap-1" title={refs.join("\n")}>
      {[...byView].map(([view, features]) => (
        <li key={view} className="min-w-0 font-mono text-[13px]">
          <Link href={href.view(project, view)} className="text-indigo-600 hover:underline">
            {view}
          </Link>
          <span className="break-words text-zinc-600">: {features.join(", ")}</span>
        </li>
      ))}
    </ul>
  );
}
