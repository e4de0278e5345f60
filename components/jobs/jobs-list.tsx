"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { RefreshCw, SearchX } from "lucide-react";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useTransition } from "react";
import { href } from "@/components/catalog/links";
import { ButtonLink } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState, isNotFound } from "@/components/ui/error-state";
import { plural } from "@/components/ui/format";
import { PageBody, PageHeader } from "@/components/ui/page-header";
import { Select } from "@/components/ui/select";
import { SkeletonTable } from "@/components/ui/skeleton";
import { useTRPC } from "@/trpc/client";
import { DatasetBuilds } from "./dataset-builds";
import { jobsHref, jobsInput, RUNS_LIMIT, readJobsState } from "./jobs-params";
import { LiveIndicator } from "./live-indicator";
import { isActiveStatus } from "./run-status";
import { RunsTable } from "./runs-table";

/** How often the list refreshes while a run is queued or running. */
const ACTIVE_REFRESH_MS = 2000;

/** The project's materialization runs, newest first, optionally of one view (`?view=`). */
export function JobsList({ project }: { project: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const state = readJobsState(useSearchParams());
  const [navigating, startTransition] = useTransition();
  const views = useQuery(trpc.featureViews.list.queryOptions({ project }));
  const runs = useQuery({
    ...trpc.jobs.list.queryOptions(jobsInput(project, state)),
    placeholderData: keepPreviousData,
    refetchInterval: (q) => (q.state.data?.some((r) => isActiveStatus(r.status)) ? ACTIVE_REFRESH_MS : false),
  });
  const active = runs.data?.filter((r) => isActiveStatus(r.status)).length ?? 0;

  const setView = (view: string) =>
    startTransition(() => router.replace(view ? `${pathname}?view=${encodeURIComponent(view)}` : pathname));

  const viewNames = (views.data ?? []).map((v) => v.name);
  if (state.view && !viewNames.includes(state.view)) viewNames.unshift(state.view);

  return (
    <PageBody>
      <PageHeader
        title="Jobs"
        description="Materialization runs: each loads the latest row per entity in its window from the offline source into the online store."
        actions={active > 0 && <LiveIndicator label={`${plural(active, "run")} in progress`} />}
      />
      <div className="mb-4 flex flex-wrap items-center gap-3">
        <label htmlFor="jobs-view" className="text-sm text-zinc-600">
          Feature view
        </label>
        <Select
          id="jobs-view"
          value={state.view ?? ""}
          onChange={(e) => setView(e.target.value)}
          className="w-64 font-mono text-[13px]"
        >
          <option value="">All views</option>
          {viewNames.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </Select>
        {runs.data && (
          <span className="text-sm text-zinc-500 tabular-nums" aria-live="polite">
            {runs.data.length >= RUNS_LIMIT ? `Latest ${RUNS_LIMIT} runs` : plural(runs.data.length, "run")}
          </span>
        )}
      </div>
      {runs.isPending ? (
        <SkeletonTable rows={6} columns={9} />
      ) : runs.isError ? (
        isNotFound(runs.error) ? (
          <EmptyState
            icon={SearchX}
            title="Feature view not found"
            description={`There is no feature view "${state.view}" in this project.`}
            action={<ButtonLink href={jobsHref(project)}>All runs</ButtonLink>}
          />
        ) : (
          <ErrorState error={runs.error} title="Could not load runs" retry={() => runs.refetch()} />
        )
      ) : runs.data.length === 0 ? (
        <EmptyState
          icon={RefreshCw}
          title={state.view ? `No runs of ${state.view} yet` : "No materialization runs yet"}
          description={
            <>
              Start one from a feature view's page (<span className="font-medium">Materialize</span>), or with{" "}
              <code className="rounded bg-zinc-100 px-1 font-mono text-xs">
                quiver materialize-incremental now
              </code>
              .
            </>
          }
          action={
            state.view ? (
              <>
                <ButtonLink href={href.view(project, state.view)} variant="primary">
                  Open {state.view}
                </ButtonLink>
                <ButtonLink href={jobsHref(project)}>All runs</ButtonLink>
              </>
            ) : (
              <ButtonLink href={href.views(project)}>Feature views</ButtonLink>
            )
          }
        />
      ) : (
        <div className={navigating ? "opacity-60 transition-opacity" : undefined}>
          <RunsTable project={project} runs={runs.data} />
        </div>
      )}
      <DatasetBuilds project={project} />
    </PageBody>
  );
}
