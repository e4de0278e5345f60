"use client";

import { useQuery } from "@tanstack/react-query";
import { Gauge } from "lucide-react";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { Fragment } from "react";
import { useProjectRole } from "@/components/auth/use-project-role";
import { href } from "@/components/catalog/links";
import { jobsHref } from "@/components/jobs/jobs-params";
import { formatUtc } from "@/components/jobs/run-format";
import { RunStatusBadge } from "@/components/jobs/run-status";
import { NextRunCell, type ScheduleRow } from "@/components/schedules/next-run-cell";
import { Badge } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState } from "@/components/ui/error-state";
import { humanizeSeconds } from "@/components/ui/format";
import { PageBody, PageHeader } from "@/components/ui/page-header";
import { RelativeTime } from "@/components/ui/relative-time";
import { Skeleton, SkeletonTable } from "@/components/ui/skeleton";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { Truncate } from "@/components/ui/truncate";
import { useTRPC } from "@/trpc/client";
import type { RouterOutputs } from "@/trpc/types";
import { EngineFreshness } from "./engine-freshness";
import {
  FRESHNESS_LABEL,
  FRESHNESS_MEANING,
  FRESHNESS_STATUSES,
  FreshnessBadge,
  type FreshnessStatus,
  freshnessStatusOf,
} from "./freshness-status";

type Row = RouterOutputs["freshness"]["list"][number];

const REFRESH_MS = 10_000;

const SUMMARY_CLASSES: Record<FreshnessStatus, string> = {
  failing: "border-red-200 bg-red-50/60 text-red-800",
  never_materialized: "border-amber-200 bg-amber-50/60 text-amber-900",
  late: "border-red-200 bg-red-50/60 text-red-800",
  at_risk: "border-amber-200 bg-amber-50/60 text-amber-900",
  met: "border-emerald-200 bg-emerald-50/60 text-emerald-800",
  no_sla: "border-zinc-200 bg-zinc-50 text-zinc-700",
};

/** Per feature view: how fresh its online data is against its SLA; refreshed every 10 s. */
export function FreshnessBoard({ project }: { project: string }) {
  const trpc = useTRPC();
  const { can } = useProjectRole(project);
  const query = useQuery({ ...trpc.freshness.list.queryOptions({ project }), refetchInterval: REFRESH_MS });
  // Transformations and stream views: a query of their own, so a slow or absent Redis never
  // holds the views' table (docs/adr/0040).
  const engines = useQuery({
    ...trpc.freshness.engines.queryOptions({ project }),
    refetchInterval: REFRESH_MS,
  });
  const hasEngines =
    !!engines.data && (engines.data.transformations.length > 0 || engines.data.streams.length > 0);
  // The "Next run" column (docs/adr/0031); the board shows without it until it loads.
  const schedules = useQuery({
    ...trpc.schedules.list.queryOptions({ project }),
    refetchInterval: REFRESH_MS,
  });
  // A summary card filters the table to its state; the filter is in the URL (?status=late).
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const filter = freshnessStatusOf(params.get("status"));
  const setFilter = (status: FreshnessStatus | null) => {
    const next = new URLSearchParams(params);
    if (status) next.set("status", status);
    else next.delete("status");
    const qs = next.toString();
    router.replace(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
  };

  return (
    <PageBody>
      <PageHeader
        title="Freshness"
        description="How far behind each view's online data is: the lag since its watermark (the end of its last successful materialization) against its freshness SLA. Transformations and stream views follow."
        actions={
          query.data && (
            <span className="text-xs text-zinc-500">
              Updated <RelativeTime date={new Date(query.dataUpdatedAt)} /> · refreshes every 10 s
            </span>
          )
        }
      />
      {query.isPending ? (
        <>
          <div className="mb-6 grid grid-cols-2 gap-3 sm:grid-cols-3 xl:grid-cols-6">
            {FRESHNESS_STATUSES.map((s) => (
              <Skeleton key={s} className="h-[74px] rounded-lg" />
            ))}
          </div>
          <SkeletonTable rows={4} columns={9} />
        </>
      ) : query.isError ? (
        <ErrorState error={query.error} title="Could not load freshness" retry={() => query.refetch()} />
      ) : query.data.length === 0 ? (
        hasEngines ? (
          <p className="text-sm text-zinc-500">No feature views to watch yet.</p>
        ) : (
          <EmptyState
            icon={Gauge}
            title="No feature views to watch"
            description="Freshness is tracked per feature view. Register one and give it a freshness SLA."
            action={
              can("definitions.write") && (
                <ButtonLink href={href.newView(project)} variant="primary">
                  Register feature view
                </ButtonLink>
              )
            }
          />
        )
      ) : (
        <>
          <Summary rows={query.data} filter={filter} onFilter={setFilter} />
          {filter && (
            <p className="mb-3 flex flex-wrap items-center gap-2 text-sm text-zinc-600" role="status">
              Showing the views that are {FRESHNESS_LABEL[filter].toLowerCase()}.
              <button
                type="button"
                onClick={() => setFilter(null)}
                className="font-medium text-indigo-600 hover:text-indigo-700"
              >
                Show all views
              </button>
            </p>
          )}
          {filter && !query.data.some((r) => r.status === filter) ? (
            <EmptyState
              icon={Gauge}
              title={`No view is ${FRESHNESS_LABEL[filter].toLowerCase()}`}
              description={FRESHNESS_MEANING[filter]}
            />
          ) : (
            <FreshnessTable
              project={project}
              schedules={schedules.data}
              rows={sortBySeverity(query.data.filter((r) => !filter || r.status === filter))}
            />
          )}
        </>
      )}
      <EngineFreshness
        project={project}
        data={engines.data}
        isPending={engines.isPending}
        error={engines.isError && !engines.data ? engines.error : null}
        retry={() => engines.refetch()}
      />
    </PageBody>
  );
}

function sortBySeverity(rows: Row[]): Row[] {
  const rank = (s: FreshnessStatus) => FRESHNESS_STATUSES.indexOf(s);
  return [...rows].sort(
    (a, b) => rank(a.status) - rank(b.status) || a.featureView.localeCompare(b.featureView),
  );
}

function Summary({
  rows,
  filter,
  onFilter,
}: {
  rows: Row[];
  filter: FreshnessStatus | null;
  onFilter: (status: FreshnessStatus | null) => void;
}) {
  return (
    <ul className="mb-6 grid grid-cols-2 gap-3 sm:grid-cols-3 xl:grid-cols-6" aria-label="Summary">
      {FRESHNESS_STATUSES.map((status) => {
        const n = rows.filter((r) => r.status === status).length;
        const active = filter === status;
        return (
          <li key={status}>
            <button
              type="button"
              data-testid={`freshness-summary-${status}`}
              aria-pressed={active}
              aria-label={`${FRESHNESS_LABEL[status]}: ${n} ${n === 1 ? "view" : "views"}`}
              title={`${FRESHNESS_MEANING[status]}. ${active ? "Click to show all views." : "Click to show only these."}`}
              onClick={() => onFilter(active ? null : status)}
              className={cn(
                "w-full rounded-lg border px-4 py-3 text-left transition-shadow hover:shadow-sm focus-visible:outline-2 focus-visible:outline-indigo-500",
                n > 0 ? SUMMARY_CLASSES[status] : "border-zinc-200 text-zinc-500",
                active && "ring-2 ring-indigo-500 ring-offset-1",
              )}
            >
              <span className="block text-2xl font-semibold tabular-nums">{n}</span>
              <span className="block text-xs font-medium">{FRESHNESS_LABEL[status]}</span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}

function FreshnessTable({
  project,
  rows,
  schedules,
}: {
  project: string;
  rows: Row[];
  schedules: ScheduleRow[] | undefined;
}) {
  const scheduleOf = new Map(schedules?.map((s) => [s.featureView, s]));
  return (
    <Table>
      <THead>
        <tr>
          <TH className="w-44">View</TH>
          <TH className="w-36">Status</TH>
          <TH className="w-20">SLA</TH>
          <TH className="w-24">Lag</TH>
          <TH className="w-24" title="Newest source event − watermark: source data not yet materialized">
            Backlog
          </TH>
          <TH className="w-32" title="The newest event time in the view's source">
            Newest event
          </TH>
          <TH className="w-32">Watermark</TH>
          <TH>Last run</TH>
          <TH className="w-24">Next run</TH>
        </tr>
      </THead>
      <TBody>
        {rows.map((r) => (
          <Fragment key={r.featureView}>
            <TR data-testid="freshness-row" data-status={r.status}>
              <TD>
                <Truncate text={r.featureView}>
                  <Link
                    href={href.view(project, r.featureView)}
                    className="font-mono text-[13px] font-medium text-zinc-900 hover:text-indigo-600"
                  >
                    {r.featureView}
                  </Link>
                </Truncate>
                {!r.online && (
                  <Badge className="mt-1" title="Not materialized into the online store">
                    offline only
                  </Badge>
                )}
              </TD>
              <TD>
                <FreshnessBadge status={r.status} />
              </TD>
              <TD className="whitespace-nowrap tabular-nums">
                {r.slaSeconds === null ? (
                  <span className="text-zinc-400">—</span>
                ) : (
                  humanizeSeconds(r.slaSeconds)
                )}
              </TD>
              <TD
                className={cn(
                  "whitespace-nowrap tabular-nums",
                  r.status === "late" && "font-medium text-red-700",
                  r.status === "at_risk" && "font-medium text-amber-700",
                )}
              >
                {/* The view page's lag chart (components/views/lag-chart.tsx) is its history. */}
                <Link
                  href={`${href.view(project, r.featureView)}#lag`}
                  className="hover:underline"
                  title="Lag over the last 7 days"
                >
                  {r.lagSeconds === null ? (
                    <span className="text-zinc-400">—</span>
                  ) : (
                    humanizeSeconds(r.lagSeconds)
                  )}
                  <span className="sr-only">, {r.featureView}'s lag over the last 7 days</span>
                </Link>
              </TD>
              <TD className="whitespace-nowrap tabular-nums">
                {r.backlogSeconds === null ? (
                  <span className="text-zinc-400">—</span>
                ) : r.backlogSeconds === 0 ? (
                  <span className="text-emerald-700">none</span>
                ) : (
                  humanizeSeconds(r.backlogSeconds)
                )}
              </TD>
              <TD>
                <SourceCell probe={r.probe} newest={r.newestSourceEvent} />
              </TD>
              <TD>
                <TimeCell date={r.watermark} />
              </TD>
              <TD>
                {r.lastRun ? (
                  <Link
                    href={jobsHref(project, r.featureView)}
                    className="group/run block min-w-0 leading-tight"
                    title={r.lastRun.error ?? "Runs of this view"}
                  >
                    <span className="flex items-center gap-2">
                      <RunStatusBadge status={r.lastRun.status} />
                      <span className="text-zinc-500 group-hover/run:underline">
                        <RelativeTime date={r.lastRun.finishedAt ?? r.lastRun.createdAt} />
                      </span>
                    </span>
                    {r.lastRun.error && (
                      <span className="mt-1 block truncate text-xs text-red-700">{r.lastRun.error}</span>
                    )}
                  </Link>
                ) : (
                  <span className="text-zinc-400">No runs</span>
                )}
              </TD>
              <TD data-testid="freshness-next-run">
                <NextRunCell schedule={scheduleOf.get(r.featureView)} />
              </TD>
            </TR>
            {r.probe.status === "error" && r.probe.error && (
              <tr>
                <td
                  colSpan={9}
                  className="border-b border-zinc-100 bg-red-50/50 px-3 py-1.5 text-xs break-words text-red-700"
                >
                  <span className="font-medium">Source probe failed:</span> {r.probe.error}
                </td>
              </tr>
            )}
          </Fragment>
        ))}
      </TBody>
    </Table>
  );
}

/**
 * The newest source event as of the last background probe, with the probe's age: sources are never
 * queried while the page waits, so a slow one shows "unknown (timed out)" instead of hanging it.
 */
function SourceCell({ probe, newest }: { probe: Row["probe"]; newest: Date | null }) {
  const age = probe.probedAt && (
    <div className="text-[11px] whitespace-nowrap text-zinc-400">
      probed <RelativeTime date={probe.probedAt} />
    </div>
  );
  if (probe.status === "pending") return <span className="text-zinc-500 italic">probing…</span>;
  if (probe.status === "timeout")
    return (
      <div className="leading-tight" title={probe.error ?? undefined}>
        <span className="font-medium text-amber-700">unknown (timed out)</span>
        {age}
      </div>
    );
  if (probe.status === "error")
    return (
      <div className="leading-tight" title={probe.error ?? undefined}>
        <span className="font-medium text-red-700">unreadable</span>
        {age}
      </div>
    );
  return (
    <div className="leading-tight">
      <TimeCell date={newest} />
      {age}
    </div>
  );
}

/** Relative time above the UTC time. */
function TimeCell({ date }: { date: Date | null }) {
  if (!date) return <span className="text-zinc-400">—</span>;
  return (
    <div className="leading-tight">
      <RelativeTime date={date} className="text-zinc-700" />
      <div className="font-mono text-[11px] whitespace-nowrap text-zinc-400" title="UTC">
        {formatUtc(date)}
      </div>
    </div>
  );
}
