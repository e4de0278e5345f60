"use client";

import { useQuery } from "@tanstack/react-query";
import { ShieldCheck } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { href } from "@/components/catalog/links";
import { Badge } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState } from "@/components/ui/error-state";
import { Pagination } from "@/components/ui/pagination";
import { SkeletonTable } from "@/components/ui/skeleton";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { Truncate } from "@/components/ui/truncate";
import { useTRPC } from "@/trpc/client";
import { CauseBadge, durationWords, UtcTime } from "./alert-words";

const PAGE_SIZE = 20;
/** Incidents open and close in the background (every worker's detection loop): refresh while shown. */
export const ALERTS_REFRESH_MS = 5_000;

/**
 * A breach history: incidents newest first, with start, end, duration and cause. One view's when
 * `featureView` is set (its page), else the project's (the Alerts page, with a view column).
 */
export function IncidentsTable({ project, featureView }: { project: string; featureView?: string }) {
  const trpc = useTRPC();
  const [page, setPage] = useState(1);
  const incidents = useQuery({
    ...trpc.alerts.incidents.list.queryOptions({
      project,
      featureView,
      limit: PAGE_SIZE,
      offset: (page - 1) * PAGE_SIZE,
    }),
    refetchInterval: ALERTS_REFRESH_MS,
  });
  if (incidents.isPending) return <SkeletonTable rows={3} columns={featureView ? 5 : 6} />;
  if (incidents.isError)
    return (
      <ErrorState
        error={incidents.error}
        title="Could not load incidents"
        retry={() => incidents.refetch()}
      />
    );
  const { incidents: rows, total } = incidents.data;
  if (rows.length === 0)
    return (
      <EmptyState
        icon={ShieldCheck}
        title="No incidents"
        description={
          featureView
            ? "This view has never been in breach: no late, failed or never-run state was seen while it had an SLA."
            : "No view of this project has been in breach. Incidents open when a view with an SLA is late or never materialized, or when a view's last run fails."
        }
      />
    );
  return (
    <div className="flex flex-col gap-3">
      <Table aria-label={featureView ? "Breach history" : "Incidents"}>
        <THead>
          <tr>
            {!featureView && <TH>View</TH>}
            <TH className="w-36">Cause</TH>
            <TH className="w-48">Start (UTC)</TH>
            <TH className="w-48">End (UTC)</TH>
            <TH className="w-32">Duration</TH>
          </tr>
        </THead>
        <TBody>
          {rows.map((i) => (
            <TR
              key={i.id}
              data-testid={`incident-${i.featureView}`}
              data-open={i.closedAt ? undefined : "true"}
            >
              {!featureView && (
                <TD className="font-mono text-[13px]">
                  <Link href={href.view(project, i.featureView)} className="text-indigo-700 hover:underline">
                    <Truncate text={i.featureView} />
                  </Link>
                </TD>
              )}
              <TD>
                <CauseBadge cause={i.cause} />
              </TD>
              <TD>
                <UtcTime date={i.openedAt} />
              </TD>
              <TD>{i.closedAt ? <UtcTime date={i.closedAt} /> : <Badge tone="red">open</Badge>}</TD>
              <TD className="tabular-nums">
                {durationWords(i.durationSeconds)}
                {!i.closedAt && <span className="text-zinc-400"> so far</span>}
              </TD>
            </TR>
          ))}
        </TBody>
      </Table>
      <Pagination page={page} pageSize={PAGE_SIZE} total={total} onPage={setPage} />
    </div>
  );
}
