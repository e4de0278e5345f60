"use client";

import { ChevronDown, ChevronRight } from "lucide-react";
import Link from "next/link";
import { Fragment, useState } from "react";
import { useProjectRole } from "@/components/auth/use-project-role";
import { href } from "@/components/registry/links";
import { Badge } from "@/components/ui/badge";
import { cn } from "@/components/ui/cn";
import { formatCount } from "@/components/ui/format";
import { RelativeTime } from "@/components/ui/relative-time";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { Truncate } from "@/components/ui/truncate";
import type { RouterOutputs } from "@/trpc/types";
import { CancelRunButton } from "./cancel-run-button";
import { formatDuration, formatUtc, runDurationSeconds } from "./run-format";
import { isActiveStatus, RunStatusBadge } from "./run-status";

export type Run = RouterOutputs["jobs"]["list"][number];

interface RunsTableProps {
  project: string;
  runs: Run[];
  /** The view column; off where every run is of one view. */
  showView?: boolean;
}

/**
 * Materialization runs, one row each (`data-testid="run-row"`, `data-status`). A failed run's
 * error is cut to one line; clicking it opens the full text under the row. Callers who may run
 * jobs get a last column with a Cancel button on queued and running runs.
 */
export function RunsTable({ project, runs, showView = true }: RunsTableProps) {
  const [open, setOpen] = useState<Set<string>>(() => new Set());
  const toggle = (id: string) =>
    setOpen((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const canCancel = useProjectRole(project).can("jobs.run");
  const columns = (showView ? 10 : 9) + (canCancel ? 1 : 0);

  return (
    <Table>
      <THead>
        <tr>
          {showView && <TH className="w-[17%]">View</TH>}
          <TH className="w-28">Kind</TH>
          <TH className="w-40">Window (UTC)</TH>
          <TH className="w-28">Status</TH>
          <TH className="w-24 text-right">Rows written</TH>
          <TH className="w-20 text-right">Attempts</TH>
          <TH className="w-24">Duration</TH>
          <TH className="w-24">Triggered by</TH>
          <TH className="w-24">Created</TH>
          <TH>Error</TH>
          {canCancel && (
            <TH className="w-32">
              <span className="sr-only">Actions</span>
            </TH>
          )}
        </tr>
      </THead>
      <TBody>
        {runs.map((run) => {
          const expanded = open.has(run.id);
          const seconds = runDurationSeconds(run);
          return (
            <Fragment key={run.id}>
              <TR data-testid="run-row" data-status={run.status} data-run-id={run.id}>
                {showView && (
                  <TD>
                    <Truncate text={`${run.featureView} v${run.featureViewVersion}`}>
                      <Link
                        href={href.view(project, run.featureView)}
                        className="font-mono text-[13px] font-medium text-zinc-900 hover:text-indigo-600"
                      >
                        {run.featureView}
                      </Link>
                    </Truncate>
                  </TD>
                )}
                <TD>
                  <Badge tone={run.kind === "incremental" ? "violet" : "gray"}>{run.kind}</Badge>
                </TD>
                <TD className="font-mono text-[11px] leading-4 text-zinc-600">
                  <span className="block" title={run.startTs.toISOString()}>
                    {formatUtc(run.startTs)}
                  </span>
                  <span className="block" title={run.endTs.toISOString()}>
                    → {formatUtc(run.endTs)}
                  </span>
                </TD>
                <TD>
                  <RunStatusBadge status={run.status} />
                </TD>
                <TD className="text-right tabular-nums" title={`${formatCount(run.rowsRead)} rows read`}>
                  {formatCount(run.rowsWritten)}
                </TD>
                <TD
                  className={cn("text-right tabular-nums", run.attempts > 1 && "font-medium text-amber-700")}
                >
                  {run.attempts}
                </TD>
                {/* A running run's duration grows between the server's render and the browser's. */}
                <TD className="tabular-nums" suppressHydrationWarning>
                  {seconds === null ? <span className="text-zinc-400">—</span> : formatDuration(seconds)}
                </TD>
                <TD>
                  <Truncate text={run.triggeredBy} className="text-zinc-600" />
                </TD>
                <TD className="text-zinc-500">
                  <RelativeTime date={run.createdAt} />
                </TD>
                <TD>
                  {run.error ? (
                    <button
                      type="button"
                      onClick={() => toggle(run.id)}
                      aria-expanded={expanded}
                      title={run.error}
                      className="flex w-full min-w-0 items-center gap-1 text-left text-red-700 hover:text-red-900"
                    >
                      {expanded ? (
                        <ChevronDown className="size-3.5 shrink-0" aria-hidden />
                      ) : (
                        <ChevronRight className="size-3.5 shrink-0" aria-hidden />
                      )}
                      <span className="min-w-0 truncate">{run.error}</span>
                    </button>
                  ) : (
                    <span className="text-zinc-400">—</span>
                  )}
                </TD>
                {canCancel && (
                  <TD className="text-right">
                    {isActiveStatus(run.status) && <CancelRunButton project={project} runId={run.id} />}
                  </TD>
                )}
              </TR>
              {expanded && run.error && (
                <tr>
                  <td colSpan={columns} className="border-b border-zinc-100 bg-red-50/50 px-3 py-2">
                    <pre className="font-mono text-xs break-words whitespace-pre-wrap text-red-800">
                      {run.error}
                    </pre>
                  </td>
                </tr>
              )}
            </Fragment>
          );
        })}
      </TBody>
    </Table>
  );
}
