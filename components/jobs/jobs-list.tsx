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
import {
  type JobsState,
  jobsHref,
  jobsInput,
  jobsQuery,
  RUN_STATUS_FILTERS,
  RUN_WINDOW_LABELS,
  RUNS_LIMIT,
  type RunWindow,
  readJobsState,
} from "./jobs-params";
import { LiveIndicator } from "./live-indicator";
import { isActiveStatus } from "./run-status";
import { RunsTable } from "./runs-table";

/** How often the list refreshes while a run is queued or running. */
const ACTIVE_REFRESH_MS = 2000;

/** The project's materialization runs, newest first, filtered by view, status and window (URL). */
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

  const setFilter = (change: Partial<JobsState>) =>
    startTransition(() => router.replace(`${pathname}${jobsQuery({ ...state, ...change })}`));
  const filtered = state.status !== undefined || state.within !== undefined;

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
          onChange={(e) => setFilter({ view: e.target.value || undefined })}
          className="w-64 font-mono text-[13px]"
        >
          <option value="">All views</option>
          {viewNames.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </Select>
        <label htmlFor="jobs-status" className="text-sm text-zinc-600">
          Status
        </label>
        <Select
          id="jobs-status"
          value={state.status ?? ""}
          onChange={(e) => setFilter({ status: RUN_STATUS_FILTERS.find((s) => s === e.target.value) })}
          className="w-36"
        >
          <option value="">Any status</option>
          {RUN_STATUS_FILTERS.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </Select>
        <label htmlFor="jobs-within" className="text-sm text-zinc-600">
          Created
        </label>
        <Select
          id="jobs-within"
          value={state.within ?? ""}
          onChange={(e) =>
            setFilter({
              within: (Object.keys(RUN_WINDOW_LABELS) as RunWindow[]).find((w) => w === e.target.value),
            })
          }
          className="w-40"
        >
          <option value="">Any time</option>
          {(Object.entries(RUN_WINDOW_LABELS) as [RunWindow, string][]).map(([w, label]) => (
            <option key={w} value={w}>
              {label}
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
      ) : runs.data.length === 0 && filtered ? (
        <EmptyState
          icon={SearchX}
          title="No runs match these filters"
          description={`No run ${[
            state.view && `of ${state.view}`,
            state.status && `in status ${state.status}`,
            state.within && `created in the ${RUN_WINDOW_LABELS[state.within].toLowerCase()}`,
          ]
            .filter(Boolean)
            .join(", ")}.`}
          action={
            <ButtonLink
              href={`${pathname}${jobsQuery({ view: state.view, status: undefined, within: undefined })}`}
            >
              Clear status and time
            </ButtonLink>
          }
        />
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
