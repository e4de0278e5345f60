"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { CircleAlert } from "lucide-react";
import { Fragment, useEffect, useRef } from "react";
import { useProjectRole } from "@/components/auth/use-project-role";
import { ConfirmCancel } from "@/components/jobs/confirm-cancel";
import { LiveIndicator } from "@/components/jobs/live-indicator";
import { RetryRunButton } from "@/components/jobs/retry-run-button";
import { formatDuration, formatUtc, runDurationSeconds } from "@/components/jobs/run-format";
import { isActiveStatus, RunStatusBadge } from "@/components/jobs/run-status";
import { Badge, type Tone } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { ErrorState } from "@/components/ui/error-state";
import { formatCount, plural } from "@/components/ui/format";
import { RelativeTime } from "@/components/ui/relative-time";
import { SkeletonTable } from "@/components/ui/skeleton";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { Truncate } from "@/components/ui/truncate";
import { useTRPC } from "@/trpc/client";
import type { RouterOutputs } from "@/trpc/types";
import { MODE_WORDS, runsInput, runWindowText } from "./run-words";

type Run = RouterOutputs["transformations"]["runs"][number];

/** How often the runs refresh while one is queued, running or retrying (rows written move). */
const ACTIVE_REFRESH_MS = 1000;

const MODE_TONE: Record<Run["mode"], Tone> = { full: "gray", incremental: "violet", backfill: "teal" };

/**
 * A transformation's runs, newest first, refreshed every second while one is in progress (rows
 * written and duration move); Cancel on an active run for operators; each run's error in full
 * under its row. When the last active run ends, the watermark has moved: the page reloads it.
 */
export function TransformationRuns({ project, name }: { project: string; name: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canRun = useProjectRole(project).can("jobs.run");
  const runs = useQuery({
    ...trpc.transformations.runs.queryOptions(runsInput(project, name)),
    refetchInterval: (q) => (q.state.data?.some((r) => isActiveStatus(r.status)) ? ACTIVE_REFRESH_MS : false),
  });
  const active = runs.data?.filter((r) => isActiveStatus(r.status)).length ?? 0;
  const wasActive = useRef(active);
  useEffect(() => {
    if (wasActive.current > 0 && active === 0) {
      void queryClient.invalidateQueries(trpc.transformations.get.pathFilter());
      void queryClient.invalidateQueries(trpc.transformations.list.pathFilter());
    }
    wasActive.current = active;
  }, [active, queryClient, trpc]);
  const cancel = useMutation(trpc.transformations.cancel.mutationOptions());
  const columns = canRun ? 9 : 8;

  return (
    <Card
      id="runs"
      title="Runs"
      description="Each run writes the output table in one transaction: readers see the old rows until it commits."
      padded={false}
      actions={active > 0 && <LiveIndicator label={`${plural(active, "run")} in progress`} />}
    >
      <div data-testid="transformation-runs">
        {runs.isPending ? (
          <div className="p-4">
            <SkeletonTable rows={2} columns={7} />
          </div>
        ) : runs.isError ? (
          <div className="p-4">
            <ErrorState error={runs.error} title="Could not load runs" retry={() => runs.refetch()} />
          </div>
        ) : runs.data.length === 0 ? (
          <p className="px-4 py-6 text-center text-sm text-zinc-500">
            No runs yet. Run it to fill the output table; the first run is a full refresh.
          </p>
        ) : (
          <Table aria-label="Runs">
            <THead>
              <tr>
                <TH className="w-28">Status</TH>
                <TH className="w-28">Mode</TH>
                <TH className="w-48">Window (UTC)</TH>
                <TH className="w-28 text-right">Rows written</TH>
                <TH className="w-24">Duration</TH>
                <TH className="w-16">Version</TH>
                <TH>Started by</TH>
                <TH className="w-24">Created</TH>
                {canRun && (
                  <TH className="w-36">
                    <span className="sr-only">Actions</span>
                  </TH>
                )}
              </tr>
            </THead>
            <TBody>
              {runs.data.map((run) => {
                const seconds = runDurationSeconds(run);
                const cell = run.error ? "border-b-0" : undefined;
                return (
                  <Fragment key={run.id}>
                    <TR
                      id={`run-${run.id}`}
                      data-testid="tx-run-row"
                      data-status={run.status}
                      data-mode={run.mode}
                      data-run-id={run.id}
                    >
                      <TD className={cell}>
                        <RunStatusBadge status={run.status} />
                      </TD>
                      <TD className={cell}>
                        <Badge tone={MODE_TONE[run.mode]}>{MODE_WORDS[run.mode]}</Badge>
                      </TD>
                      <TD className={cn("font-mono text-[11px] leading-4 text-zinc-600", cell)}>
                        {run.startTs && run.endTs && run.mode !== "full" ? (
                          <>
                            <span className="block" title={run.startTs.toISOString()}>
                              {formatUtc(run.startTs)}
                            </span>
                            <span className="block" title={run.endTs.toISOString()}>
                              → {formatUtc(run.endTs)}
                            </span>
                          </>
                        ) : (
                          <span className="font-sans text-xs">{runWindowText(run)}</span>
                        )}
                      </TD>
                      <TD className={cn("text-right tabular-nums", cell)}>
                        {formatCount(run.rowsWritten)}
                        {run.attempts > 1 && (
                          <span className="block text-[11px] text-amber-700">attempt {run.attempts}</span>
                        )}
                      </TD>
                      {/* A running run's duration grows between the server's render and the browser's. */}
                      <TD className={cn("tabular-nums", cell)} suppressHydrationWarning>
                        {seconds === null ? (
                          <span className="text-zinc-400">—</span>
                        ) : (
                          formatDuration(seconds)
                        )}
                      </TD>
                      <TD className={cn("font-mono text-[13px] text-zinc-600", cell)}>v{run.version}</TD>
                      <TD className={cell}>
                        <Truncate text={run.startedBy} className="text-zinc-600" />
                      </TD>
                      <TD className={cn("text-zinc-500", cell)}>
                        <RelativeTime date={run.createdAt} />
                      </TD>
                      {canRun && (
                        <TD className={cn("text-right", cell)}>
                          {isActiveStatus(run.status) && (
                            <ConfirmCancel
                              what="run"
                              testId="cancel-tx-run"
                              cancel={() =>
                                cancel
                                  .mutateAsync({ project, runId: run.id })
                                  .finally(() =>
                                    queryClient.invalidateQueries(trpc.transformations.runs.pathFilter()),
                                  )
                              }
                            />
                          )}
                          {(run.status === "failed" || run.status === "cancelled") && (
                            <RetryRunButton project={project} runId={run.id} kind="transformation" />
                          )}
                        </TD>
                      )}
                    </TR>
                    {run.error && (
                      <tr data-testid="tx-run-error" className="[&:last-child>td]:border-b-0">
                        <td colSpan={columns} className="border-b border-zinc-100 px-3 pt-0 pb-2.5">
                          <p className="flex items-start gap-2 text-xs text-red-700">
                            <CircleAlert className="mt-px size-3.5 shrink-0" aria-hidden />
                            <span className="min-w-0 whitespace-pre-wrap wrap-anywhere">{run.error}</span>
                          </p>
                        </td>
                      </tr>
                    )}
                  </Fragment>
                );
              })}
            </TBody>
          </Table>
        )}
      </div>
    </Card>
  );
}
