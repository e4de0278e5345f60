"use client";

import { ChevronRight, CircleAlert, CircleSlash, RotateCw } from "lucide-react";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { Fragment } from "react";
import { useProjectRole } from "@/components/auth/use-project-role";
import { href } from "@/components/catalog/links";
import { Badge } from "@/components/ui/badge";
import { cn } from "@/components/ui/cn";
import { formatCount } from "@/components/ui/format";
import { RelativeTime } from "@/components/ui/relative-time";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { Truncate } from "@/components/ui/truncate";
import type { RouterOutputs } from "@/trpc/types";
import { CancelRunButton } from "./cancel-run-button";
import { RetryRunButton } from "./retry-run-button";
import { formatDuration, formatUtc, runDurationSeconds } from "./run-format";
import { RunLog } from "./run-log";
import { isActiveStatus, RunStatusBadge } from "./run-status";

export type Run = RouterOutputs["jobs"]["list"][number];

interface RunsTableProps {
  project: string;
  runs: Run[];
  /** The view column; off where every run is of one view. */
  showView?: boolean;
}

/** The first block of a run id, enough to tell runs apart on a page. */
const shortId = (id: string) => id.slice(0, 8);

/**
 * Materialization runs, one row each (`data-testid="run-row"`, `data-status`, `id="run-<id>"`). A
 * run with an error, or a retry link, gets a line under its row across the whole table
 * (`data-testid="run-detail"`) with the full text, wrapped: an error is never cut. Callers who may
 * run jobs get a last column with Cancel on queued, running and retrying runs and Retry on failed
 * runs not retried yet. Each row's "Log" button opens the run's log under it (`?log=<run id>`, so
 * an open log can be linked).
 */
export function RunsTable({ project, runs, showView = true }: RunsTableProps) {
  const canRun = useProjectRole(project).can("jobs.run");
  const columns = (showView ? 10 : 9) + (canRun ? 1 : 0);
  const logs = useLogParam();

  return (
    <Table>
      <THead>
        <tr>
          {/* No width: the view's name takes what the fixed columns leave. */}
          {showView && <TH>View</TH>}
          <TH className="w-24">Kind</TH>
          <TH className="w-44">Window (UTC)</TH>
          <TH className="w-28">Status</TH>
          <TH className="w-24 text-right">Rows written</TH>
          <TH className="w-20 text-right">Attempts</TH>
          <TH className="w-24">Duration</TH>
          <TH className="w-28">Triggered by</TH>
          <TH className="w-24">Created</TH>
          <TH className="w-16">
            <span className="sr-only">Log</span>
          </TH>
          {canRun && (
            <TH className="w-32">
              <span className="sr-only">Actions</span>
            </TH>
          )}
        </tr>
      </THead>
      <TBody>
        {runs.map((run) => {
          const seconds = runDurationSeconds(run);
          const detail = Boolean(run.error || run.retryOf || run.retriedBy);
          const logOpen = logs.open === run.id;
          // The detail line and the log belong to their run: no rule between them.
          const cell = detail || logOpen ? "border-b-0" : undefined;
          return (
            <Fragment key={run.id}>
              <TR id={`run-${run.id}`} data-testid="run-row" data-status={run.status} data-run-id={run.id}>
                {showView && (
                  <TD className={cell}>
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
                <TD className={cell}>
                  <Badge tone={run.kind === "incremental" ? "violet" : "gray"}>{run.kind}</Badge>
                </TD>
                <TD className={cn("font-mono text-[11px] leading-4 text-zinc-600", cell)}>
                  <span className="block" title={run.startTs.toISOString()}>
                    {formatUtc(run.startTs)}
                  </span>
                  <span className="block" title={run.endTs.toISOString()}>
                    → {formatUtc(run.endTs)}
                  </span>
                </TD>
                <TD className={cell}>
                  <RunStatusBadge status={run.status} />
                </TD>
                <TD
                  className={cn("text-right tabular-nums", cell)}
                  title={`${formatCount(run.rowsRead)} rows read`}
                >
                  {formatCount(run.rowsWritten)}
                </TD>
                <TD
                  className={cn(
                    "text-right tabular-nums",
                    run.attempts > 1 && "font-medium text-amber-700",
                    cell,
                  )}
                >
                  {run.attempts}
                </TD>
                {/* A running run's duration grows between the server's render and the browser's. */}
                <TD className={cn("tabular-nums", cell)} suppressHydrationWarning>
                  {seconds === null ? <span className="text-zinc-400">—</span> : formatDuration(seconds)}
                </TD>
                <TD className={cell}>
                  <Truncate text={run.triggeredBy} className="text-zinc-600" />
                </TD>
                <TD className={cn("text-zinc-500", cell)}>
                  <RelativeTime date={run.createdAt} />
                </TD>
                <TD className={cell}>
                  <button
                    type="button"
                    aria-expanded={logOpen}
                    aria-controls={logOpen ? `run-log-${run.id}` : undefined}
                    onClick={() => logs.toggle(run.id)}
                    className="inline-flex items-center gap-0.5 rounded px-1 py-0.5 text-xs font-medium text-indigo-700 hover:bg-indigo-50 focus-visible:outline-2 focus-visible:outline-indigo-500"
                  >
                    <ChevronRight
                      className={cn("size-3.5 transition-transform", logOpen && "rotate-90")}
                      aria-hidden
                    />
                    Log<span className="sr-only"> of run {shortId(run.id)}</span>
                  </button>
                </TD>
                {canRun && (
                  <TD className={cn("text-right", cell)}>
                    {isActiveStatus(run.status) ? (
                      <CancelRunButton project={project} runId={run.id} />
                    ) : run.status === "failed" && !run.retriedBy ? (
                      <RetryRunButton project={project} runId={run.id} />
                    ) : null}
                  </TD>
                )}
              </TR>
              {detail && (
                <tr data-testid="run-detail" data-run-id={run.id} className="[&:last-child>td]:border-b-0">
                  <td
                    colSpan={columns}
                    className={cn("border-b border-zinc-100 px-3 pt-0 pb-2.5", logOpen && "border-b-0")}
                  >
                    <RunDetail run={run} />
                  </td>
                </tr>
              )}
              {logOpen && (
                <tr id={`run-log-${run.id}`} data-run-id={run.id} className="[&:last-child>td]:border-b-0">
                  <td colSpan={columns} className="border-b border-zinc-100 px-3 pt-0 pb-3">
                    <RunLog project={project} runId={run.id} active={isActiveStatus(run.status)} />
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

/** `?log=<run id>`: the run whose log is open, toggled in place (other params are kept). */
function useLogParam() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const open = params.get("log");
  return {
    open,
    toggle(runId: string) {
      const next = new URLSearchParams(params);
      if (open === runId) next.delete("log");
      else next.set("log", runId);
      const q = next.toString();
      router.replace(q ? `${pathname}?${q}` : pathname, { scroll: false });
    },
  };
}

/** The run's error in full (wrapped, never cut) and its retry links. */
function RunDetail({ run }: { run: Run }) {
  const tone =
    run.status === "cancelled"
      ? "text-zinc-600"
      : run.status === "retrying"
        ? "text-violet-800"
        : "text-red-700";
  const Icon = run.status === "cancelled" ? CircleSlash : run.status === "retrying" ? RotateCw : CircleAlert;
  return (
    <div className="flex flex-col gap-1 text-xs">
      {run.error && (
        <p data-testid="run-error" className={cn("flex min-w-0 items-start gap-1.5", tone)}>
          <Icon className="mt-px size-3.5 shrink-0" aria-hidden />
          <span className="min-w-0 font-mono break-words whitespace-pre-wrap">
            {run.status === "retrying" && (
              <span className="font-sans font-medium">Attempt {run.attempts} failed, retrying: </span>
            )}
            {run.error}
          </span>
        </p>
      )}
      {(run.retryOf || run.retriedBy) && (
        <p className="flex flex-wrap gap-x-3 text-zinc-500">
          {run.retryOf && (
            <span>
              Retry of run{" "}
              <a
                href={`#run-${run.retryOf}`}
                title={run.retryOf}
                className="font-mono text-indigo-600 hover:underline"
              >
                {shortId(run.retryOf)}
              </a>
            </span>
          )}
          {run.retriedBy && (
            <span data-testid="retried-by">
              Retried as run{" "}
              <a
                href={`#run-${run.retriedBy}`}
                title={run.retriedBy}
                className="font-mono text-indigo-600 hover:underline"
              >
                {shortId(run.retriedBy)}
              </a>
            </span>
          )}
        </p>
      )}
    </div>
  );
}
