"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { CircleAlert, Play, RefreshCw } from "lucide-react";
import Link from "next/link";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { useProjectRole } from "@/components/auth/use-project-role";
import { serverError } from "@/components/forms/form-errors";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ErrorState } from "@/components/ui/error-state";
import { Field } from "@/components/ui/field";
import { plural } from "@/components/ui/format";
import { Input } from "@/components/ui/input";
import { SkeletonTable, Spinner } from "@/components/ui/skeleton";
import { useTRPC } from "@/trpc/client";
import { jobsHref, recentRunsInput } from "./jobs-params";
import { LiveIndicator } from "./live-indicator";
import { isActiveStatus } from "./run-status";
import { RunsTable } from "./runs-table";

/** How often the runs refresh while one is queued or running. */
const ACTIVE_REFRESH_MS = 1000;

/** A Date as the value of an <input type="datetime-local"> (local time, minutes). */
function toLocalInput(d: Date): string {
  const local = new Date(d.getTime() - d.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

/** A datetime-local value as a Date (the browser's time zone); undefined when blank or invalid. */
function fromLocalInput(value: string): Date | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/**
 * Materialization of one feature view: a "Materialize" button opening a window form (the last
 * 24 h by default) and an incremental run from the view's watermark, then the view's latest runs,
 * refreshed every second until they finish.
 */
export function MaterializePanel({ project, featureView }: { project: string; featureView: string }) {
  const trpc = useTRPC();
  const { can } = useProjectRole(project);
  const queryClient = useQueryClient();
  const runs = useQuery({
    ...trpc.jobs.list.queryOptions(recentRunsInput(project, featureView)),
    refetchInterval: (q) => (q.state.data?.some((r) => isActiveStatus(r.status)) ? ACTIVE_REFRESH_MS : false),
  });
  const range = useMutation(trpc.jobs.materialize.mutationOptions());
  const incremental = useMutation(trpc.jobs.materializeIncremental.mutationOptions());
  const pending = range.isPending || incremental.isPending;

  const [open, setOpen] = useState(false);
  const [start, setStart] = useState("");
  const [end, setEnd] = useState("");
  const [errors, setErrors] = useState<{ startTs?: string; endTs?: string; form?: string }>({});

  const active = runs.data?.filter((r) => isActiveStatus(r.status)).length ?? 0;

  // When the last active run finishes, the view's watermark and freshness have moved.
  const wasActive = useRef(active);
  useEffect(() => {
    if (wasActive.current > 0 && active === 0) {
      void queryClient.invalidateQueries(trpc.featureViews.pathFilter());
      void queryClient.invalidateQueries(trpc.freshness.pathFilter());
    }
    wasActive.current = active;
  }, [active, queryClient, trpc]);

  function openForm() {
    const now = new Date();
    setStart(toLocalInput(new Date(now.getTime() - 24 * 3600 * 1000)));
    setEnd(toLocalInput(now));
    setErrors({});
    setOpen(true);
  }

  const handlers = {
    onSuccess: async () => {
      setOpen(false);
      // A runs fetch still in flight began before the run was written. Invalidating alone would
      // join it (TanStack Query cancels an in-flight fetch only once the query has data) and keep
      // its answer, without the new run, as fresh: nothing would poll again. Drop it, then refetch.
      const jobs = trpc.jobs.pathFilter();
      await queryClient.cancelQueries(jobs);
      await queryClient.invalidateQueries(jobs);
    },
    onError: (e: unknown) => {
      const { field, message } = serverError(e);
      if (field === "startTs" || field === "endTs") setErrors({ [field]: message });
      else setErrors({ form: message });
    },
  };

  function runWindow(e: FormEvent) {
    e.preventDefault();
    const startTs = fromLocalInput(start);
    const endTs = fromLocalInput(end);
    const next: typeof errors = {};
    if (!startTs) next.startTs = "Enter a start time";
    if (!endTs) next.endTs = "Enter an end time";
    if (startTs && endTs && startTs > endTs) next.startTs = "The start is after the end";
    setErrors(next);
    if (!startTs || !endTs || Object.keys(next).length > 0) return;
    range.mutate({ project, featureViews: [featureView], startTs, endTs }, handlers);
  }

  function runIncremental() {
    const endTs = fromLocalInput(end) ?? new Date();
    setErrors({});
    incremental.mutate({ project, featureViews: [featureView], endTs }, handlers);
  }

  return (
    <Card
      title="Materialization"
      description="Load the latest row per entity from the offline source into the online store."
      actions={
        <>
          {active > 0 && <LiveIndicator label={`${plural(active, "run")} in progress`} />}
          <Link
            href={jobsHref(project, featureView)}
            className="text-xs font-medium text-indigo-600 hover:underline"
          >
            All runs
          </Link>
          {!open && can("jobs.run") && (
            <Button variant="primary" size="sm" data-testid="materialize-button" onClick={openForm}>
              <Play className="size-3.5" aria-hidden />
              Materialize
            </Button>
          )}
        </>
      }
    >
      <div className="flex flex-col gap-4">
        {open && (
          <form
            onSubmit={runWindow}
            noValidate
            aria-label="Materialize a time window"
            className="flex flex-col gap-3 rounded-lg border border-zinc-200 bg-zinc-50/70 p-4"
          >
            <div className="flex flex-wrap items-start gap-4">
              <Field label="Start" error={errors.startTs} className="w-60">
                <Input
                  type="datetime-local"
                  data-testid="materialize-start"
                  value={start}
                  onChange={(e) => setStart(e.target.value)}
                  disabled={pending}
                />
              </Field>
              <Field label="End" error={errors.endTs} className="w-60">
                <Input
                  type="datetime-local"
                  data-testid="materialize-end"
                  value={end}
                  onChange={(e) => setEnd(e.target.value)}
                  disabled={pending}
                />
              </Field>
            </div>
            <p className="text-xs text-zinc-500">
              Times are in your browser's time zone. Both ends are inclusive; an incremental run starts at the
              view's watermark and ends at End.
            </p>
            {errors.form && (
              <p role="alert" className="flex items-start gap-2 text-sm text-red-700">
                <CircleAlert className="mt-0.5 size-4 shrink-0" aria-hidden />
                {errors.form}
              </p>
            )}
            <div className="flex flex-wrap items-center gap-2">
              <Button
                type="submit"
                variant="primary"
                size="sm"
                disabled={pending}
                data-testid="materialize-window"
              >
                {range.isPending ? <Spinner className="size-3.5 text-white" label="Starting" /> : null}
                Materialize window
              </Button>
              <Button
                size="sm"
                disabled={pending}
                onClick={runIncremental}
                data-testid="materialize-incremental"
              >
                {incremental.isPending ? (
                  <Spinner className="size-3.5" label="Starting" />
                ) : (
                  <RefreshCw className="size-3.5" aria-hidden />
                )}
                Incremental (from watermark)
              </Button>
              <Button variant="ghost" size="sm" disabled={pending} onClick={() => setOpen(false)}>
                Cancel
              </Button>
            </div>
          </form>
        )}
        {runs.isPending ? (
          <SkeletonTable rows={2} columns={7} />
        ) : runs.isError ? (
          <ErrorState error={runs.error} title="Could not load runs" retry={() => runs.refetch()} />
        ) : runs.data.length === 0 ? (
          <p className="rounded-lg border border-dashed border-zinc-300 px-4 py-6 text-center text-sm text-zinc-500">
            No runs yet. Materialize to make this view's features servable online.
          </p>
        ) : (
          <RunsTable project={project} runs={runs.data} showView={false} />
        )}
      </div>
    </Card>
  );
}
