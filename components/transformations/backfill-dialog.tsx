"use client";

import { CircleAlert, RefreshCw } from "lucide-react";
import { type FormEvent, useId, useState } from "react";
import { Dialog } from "@/components/forms/dialog";
import { serverError } from "@/components/forms/form-errors";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Spinner } from "@/components/ui/skeleton";
import { defaultBackfillRange, type RangeErrors, readBackfillRange } from "./backfill-range";
import { useStartRun } from "./use-start-run";

interface BackfillDialogProps {
  project: string;
  name: string;
  /** Why the SQL cannot recompute a range; empty when it can. */
  notIncremental: string[];
  onClose: () => void;
}

/**
 * Recompute a past event-time window [start, end) in UTC; the watermark stays where it is. A
 * transformation whose SQL cannot run incrementally says why and offers a full refresh instead.
 */
export function BackfillDialog({ project, name, notIncremental, onClose }: BackfillDialogProps) {
  const id = useId();
  const { run, backfill } = useStartRun(project, name);
  const [range, setRange] = useState(defaultBackfillRange);
  const [errors, setErrors] = useState<RangeErrors>({});
  const [banner, setBanner] = useState<string | null>(null);
  const pending = run.isPending || backfill.isPending;
  const fail = (e: unknown) => {
    const { field, message } = serverError(e);
    if (field === "start" || field === "end") setErrors({ [field]: message });
    else setBanner(message);
  };

  function submit(e: FormEvent) {
    e.preventDefault();
    setBanner(null);
    const read = readBackfillRange(range.start, range.end);
    if (!read.ok) return setErrors(read.errors);
    setErrors({});
    backfill.mutate(
      { project, name, start: read.start, end: read.end },
      { onSuccess: onClose, onError: fail },
    );
  }

  function fullRefresh() {
    setBanner(null);
    run.mutate({ project, name, mode: "full" }, { onSuccess: onClose, onError: fail });
  }

  if (notIncremental.length > 0)
    return (
      <Dialog open onClose={onClose} title={`Backfill ${name}`}>
        <div className="flex flex-col gap-4 text-sm" data-testid="backfill-not-incremental">
          <div className="rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-amber-900">
            <p className="font-medium">This transformation cannot recompute a time range.</p>
            <ul className="mt-1.5 list-disc pl-5">
              {notIncremental.map((reason) => (
                <li key={reason} className="wrap-anywhere">
                  {reason}
                </li>
              ))}
            </ul>
          </div>
          <p className="text-zinc-600">A full refresh recomputes the whole output table instead.</p>
          <Banner message={banner} />
          <div className="flex justify-end gap-2">
            <Button variant="ghost" onClick={onClose}>
              Close
            </Button>
            <Button variant="primary" disabled={pending} onClick={fullRefresh}>
              {run.isPending ? (
                <Spinner className="size-3.5 text-white" label="Starting" />
              ) : (
                <RefreshCw className="size-3.5" aria-hidden />
              )}
              Run a full refresh
            </Button>
          </div>
        </div>
      </Dialog>
    );

  return (
    <Dialog
      open
      onClose={onClose}
      title={`Backfill ${name}`}
      description="Recompute the output rows whose event time is in [start, end). Times are UTC. The watermark does not move."
    >
      <form onSubmit={submit} noValidate aria-label={`Backfill ${name}`} className="flex flex-col gap-4">
        <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
          <Field label="Start (UTC)" id={`${id}-start`} error={errors.start} required>
            <Input
              type="datetime-local"
              data-testid="backfill-start"
              value={range.start}
              onChange={(e) => {
                setRange({ ...range, start: e.target.value });
                setErrors({});
              }}
              disabled={pending}
            />
          </Field>
          <Field label="End (UTC)" id={`${id}-end`} error={errors.end} hint="Excluded" required>
            <Input
              type="datetime-local"
              data-testid="backfill-end"
              value={range.end}
              onChange={(e) => {
                setRange({ ...range, end: e.target.value });
                setErrors({});
              }}
              disabled={pending}
            />
          </Field>
        </div>
        <Banner message={banner} />
        <div className="flex justify-end gap-2">
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" disabled={pending} data-testid="backfill-submit">
            {backfill.isPending && <Spinner className="size-3.5 text-white" label="Starting" />}
            Start backfill
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function Banner({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <p role="alert" className="flex items-start gap-2 text-sm text-red-700">
      <CircleAlert className="mt-0.5 size-4 shrink-0" aria-hidden />
      <span className="min-w-0 wrap-anywhere">{message}</span>
    </p>
  );
}
