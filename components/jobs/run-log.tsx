"use client";

import { useQuery } from "@tanstack/react-query";
import { CircleAlert, Info, TriangleAlert } from "lucide-react";
import { cn } from "@/components/ui/cn";
import { ErrorState } from "@/components/ui/error-state";
import { Spinner } from "@/components/ui/skeleton";
import type { RunLogLevel } from "@/server/core/vocabulary";
import { useTRPC } from "@/trpc/client";
import { formatUtc } from "./run-format";

/** How often an open log refreshes while its run is active. */
const ACTIVE_REFRESH_MS = 2000;

/** Level as text and icon, so an error is told by more than its colour. */
const LEVELS: Record<RunLogLevel, { label: string; icon: typeof Info; tone: string; row: string }> = {
  info: { label: "Info", icon: Info, tone: "text-zinc-600", row: "" },
  warn: { label: "Warning", icon: TriangleAlert, tone: "text-amber-800", row: "bg-amber-50" },
  error: {
    label: "Error",
    icon: CircleAlert,
    tone: "font-semibold text-red-800",
    row: "bg-red-50 shadow-[inset_3px_0_0_var(--color-red-600)]",
  },
};

/**
 * A run's structured log (jobs.log; docs/adr/0034-lag-history-and-run-logs.md): time (UTC), level,
 * step, message, oldest first. Batches are sampled, so the table says how the log is bounded.
 */
export function RunLog({ project, runId, active }: { project: string; runId: string; active: boolean }) {
  const trpc = useTRPC();
  const log = useQuery({
    ...trpc.jobs.log.queryOptions({ project, runId }),
    refetchInterval: active ? ACTIVE_REFRESH_MS : false,
  });
  if (log.isPending) return <Spinner label="Loading the run's log" />;
  if (log.isError)
    return <ErrorState error={log.error} title="Could not load the run's log" retry={() => log.refetch()} />;
  if (log.data.length === 0)
    return (
      <p className="py-2 text-xs text-zinc-600">
        No log entries yet: a run writes its log once a worker claims it.
      </p>
    );
  return (
    <div className="overflow-x-auto rounded-md border border-zinc-200 bg-white">
      <table className="w-full text-left text-xs" data-testid="run-log">
        <caption className="sr-only">Log of run {runId}, oldest first</caption>
        <thead className="bg-zinc-50 text-zinc-600">
          <tr>
            <th scope="col" className="w-40 px-2 py-1.5 font-medium">
              Time (UTC)
            </th>
            <th scope="col" className="w-24 px-2 py-1.5 font-medium">
              Level
            </th>
            <th scope="col" className="w-24 px-2 py-1.5 font-medium">
              Step
            </th>
            <th scope="col" className="px-2 py-1.5 font-medium">
              Message
            </th>
          </tr>
        </thead>
        <tbody>
          {log.data.map((e) => {
            const level = LEVELS[e.level];
            const Icon = level.icon;
            return (
              <tr
                key={e.seq}
                data-testid="run-log-entry"
                data-level={e.level}
                className={cn("border-t border-zinc-100 align-top", level.row)}
              >
                <td
                  className="px-2 py-1 font-mono whitespace-nowrap text-zinc-600"
                  title={e.at.toISOString()}
                >
                  {formatUtc(e.at)}
                </td>
                <td className={cn("px-2 py-1 whitespace-nowrap", level.tone)}>
                  <span className="inline-flex items-center gap-1">
                    <Icon className="size-3.5 shrink-0" aria-hidden />
                    {level.label}
                  </span>
                </td>
                <td className="px-2 py-1 font-mono text-zinc-700">{e.step}</td>
                <td className="px-2 py-1 font-mono break-words whitespace-pre-wrap text-zinc-900">
                  {e.message}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="border-t border-zinc-100 px-2 py-1.5 text-[11px] text-zinc-500">
        Each attempt logs its first 10 batches, then batches 16, 32, 64…; the totals are in the last entry.
      </p>
    </div>
  );
}
