"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { CalendarClock, Pause, Pencil, Play, Trash2 } from "lucide-react";
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { useProjectRole } from "@/components/auth/use-project-role";
import { serverError } from "@/components/forms/form-errors";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ErrorState } from "@/components/ui/error-state";
import { RelativeTime } from "@/components/ui/relative-time";
import { SkeletonTable } from "@/components/ui/skeleton";
import { browserTimeZone, type ScheduleDraft, ScheduleEditor } from "./schedule-editor";
import {
  type TargetScheduleDetail as Detail,
  runHref,
  type TargetSchedule as Schedule,
  type ScheduleTarget,
  useScheduleApi,
} from "./schedule-target";

/** How often the schedule and its ticks refresh: a tick can come every minute. */
const REFRESH_MS = 5_000;

/** An instant as UTC, to the minute: "2026-12-01 06:45 UTC". */
export function utcMinute(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

function draftOf(s: Schedule | null): ScheduleDraft {
  return {
    kind: s?.kind ?? "every",
    cron: s?.cron ?? "",
    timeZone: s?.kind === "cron" ? s.timeZone : browserTimeZone(),
    everyMinutes: String(s?.everyMinutes ?? 60),
  };
}

/** A feature view's schedule card (the view page and the view's edit form). */
export function SchedulePanel({ project, featureView }: { project: string; featureView: string }) {
  return (
    <ScheduleCard
      project={project}
      target={{ featureView }}
      description="Runs an incremental materialization on its own, skipped while the previous run still goes."
      unscheduled="No schedule: this view is materialized only when someone starts a run."
    />
  );
}

/**
 * A schedule (docs/adr/0031) of a view or a transformation: its rule, next run (UTC and relative),
 * paused state, pause/resume, edit and remove (for roles that may run jobs), and its latest ticks,
 * each a started run (linked) or a skip with its reason.
 */
export function ScheduleCard({
  project,
  target,
  description,
  unscheduled,
}: {
  project: string;
  target: ScheduleTarget;
  description: string;
  /** Shown to a reader who may not set one, when there is none. */
  unscheduled: string;
}) {
  const queryClient = useQueryClient();
  const { can } = useProjectRole(project);
  const api = useScheduleApi(project, target, REFRESH_MS);
  const { detail } = api;
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const settle = {
    onError: (e: unknown) => setError(serverError(e).message),
    onSettled: () => api.invalidate(queryClient),
  };
  const pause = useMutation({ mutationFn: api.writes.pause });
  const resume = useMutation({ mutationFn: api.writes.resume });
  const remove = useMutation({ mutationFn: api.writes.remove });
  const busy = pause.isPending || resume.isPending || remove.isPending;
  const schedule = detail.data?.schedule ?? null;
  const mayChange = can("jobs.run");

  // A tick that started a run: the runs and freshness shown nearby are about to change.
  const latestRun = detail.data?.ticks.find((t) => t.runId)?.runId;
  const seenRun = useRef(latestRun);
  const { invalidateRuns } = api;
  useEffect(() => {
    if (latestRun && latestRun !== seenRun.current) void invalidateRuns(queryClient);
    seenRun.current = latestRun;
  }, [latestRun, queryClient, invalidateRuns]);

  return (
    <Card
      title="Schedule"
      description={description}
      actions={
        schedule &&
        mayChange &&
        !editing && (
          <>
            {schedule.paused ? (
              <Button
                size="sm"
                variant="secondary"
                data-testid="schedule-resume"
                disabled={busy}
                onClick={() => resume.mutate(undefined, settle)}
              >
                <Play className="size-3.5" aria-hidden />
                Resume
              </Button>
            ) : (
              <Button
                size="sm"
                variant="secondary"
                data-testid="schedule-pause"
                disabled={busy}
                onClick={() => pause.mutate(undefined, settle)}
              >
                <Pause className="size-3.5" aria-hidden />
                Pause
              </Button>
            )}
            <Button
              size="sm"
              variant="ghost"
              data-testid="schedule-edit"
              disabled={busy}
              onClick={() => setEditing(true)}
            >
              <Pencil className="size-3.5" aria-hidden />
              Edit
            </Button>
            <Button
              size="sm"
              variant="ghost"
              data-testid="schedule-delete"
              disabled={busy}
              onClick={() => remove.mutate(undefined, settle)}
            >
              <Trash2 className="size-3.5" aria-hidden />
              Remove
            </Button>
          </>
        )
      }
    >
      {detail.isPending ? (
        <SkeletonTable rows={2} columns={3} />
      ) : detail.isError ? (
        <ErrorState error={detail.error} title="Could not load the schedule" retry={() => detail.refetch()} />
      ) : (
        <div className="flex flex-col gap-4">
          {editing || (!schedule && mayChange) ? (
            <ScheduleEditor
              save={api.writes.set}
              initial={draftOf(schedule)}
              onDone={() => {
                setEditing(false);
                return api.invalidate(queryClient);
              }}
              onCancel={schedule ? () => setEditing(false) : undefined}
            />
          ) : null}
          {schedule ? (
            <ScheduleSummary schedule={schedule} />
          ) : (
            !mayChange && <p className="text-sm text-zinc-500">{unscheduled}</p>
          )}
          {error && (
            <p role="alert" className="text-sm text-red-700">
              {error}
            </p>
          )}
          {detail.data.ticks.length > 0 && (
            <Ticks project={project} target={target} ticks={detail.data.ticks} />
          )}
        </div>
      )}
    </Card>
  );
}

function ScheduleSummary({ schedule }: { schedule: Schedule }) {
  return (
    <dl
      className="grid grid-cols-[8rem_minmax(0,1fr)] gap-x-4 gap-y-2 text-sm"
      data-testid="schedule-summary"
    >
      <dt className="text-zinc-500">Runs</dt>
      <dd className="flex min-w-0 items-center gap-2">
        <CalendarClock className="size-4 shrink-0 text-zinc-400" aria-hidden />
        <span className="truncate font-mono text-zinc-800" title={schedule.description}>
          {schedule.description}
        </span>
        {schedule.paused && <Badge tone="amber">paused</Badge>}
      </dd>
      <dt className="text-zinc-500">Next run</dt>
      <dd data-testid="schedule-next-run">
        {schedule.paused || !schedule.nextRunAt ? (
          <span className="text-zinc-500">none while paused</span>
        ) : (
          <span className="flex flex-wrap items-baseline gap-x-2">
            <span className="font-mono text-zinc-800">{utcMinute(schedule.nextRunAt)}</span>
            <RelativeTime date={schedule.nextRunAt} className="text-zinc-500" />
          </span>
        )}
      </dd>
      <dt className="text-zinc-500">Changed by</dt>
      <dd className="flex min-w-0 gap-2 text-zinc-700">
        <span className="truncate">{schedule.updatedBy}</span>
        <RelativeTime date={schedule.updatedAt} className="text-zinc-500" />
      </dd>
    </dl>
  );
}

function Ticks({
  project,
  target,
  ticks,
}: {
  project: string;
  target: ScheduleTarget;
  ticks: Detail["ticks"];
}) {
  return (
    <div>
      <h3 className="mb-2 text-xs font-medium tracking-wide text-zinc-500 uppercase">Latest ticks</h3>
      <ul className="divide-y divide-zinc-100 rounded-lg border border-zinc-200" data-testid="schedule-ticks">
        {ticks.map((t) => (
          <li
            key={t.tickAt.toISOString()}
            data-testid="schedule-tick"
            data-outcome={t.outcome}
            className="flex min-w-0 flex-wrap items-center gap-x-3 gap-y-1 px-3 py-2 text-sm"
          >
            <span className="font-mono text-xs text-zinc-700">{utcMinute(t.tickAt)}</span>
            <Badge tone={t.outcome === "started" ? "green" : "amber"}>{t.outcome}</Badge>
            {t.runId && (
              <Link
                href={runHref(project, target, t.runId)}
                className="font-mono text-xs text-indigo-600 hover:underline"
              >
                run {t.runId.slice(0, 8)}
              </Link>
            )}
            {t.reason && <span className="min-w-0 text-xs break-words text-zinc-500">{t.reason}</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}
