"use client";

import { useMutation } from "@tanstack/react-query";
import { CircleAlert } from "lucide-react";
import { type FormEvent, useId, useState } from "react";
import { serverError } from "@/components/forms/form-errors";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { SegmentedChoice } from "@/components/ui/segmented-choice";
import { Spinner } from "@/components/ui/skeleton";
import type { ScheduleKind } from "@/server/core/vocabulary";
import type { ScheduleRuleInput } from "./schedule-target";

export interface ScheduleDraft {
  kind: ScheduleKind;
  cron: string;
  timeZone: string;
  everyMinutes: string;
}

type Errors = Partial<Record<"cron" | "timeZone" | "everyMinutes" | "form", string>>;

const KIND_ORDER: readonly ScheduleKind[] = ["every", "cron"];
const KIND_LABELS: Record<ScheduleKind, string> = { every: "Every N minutes", cron: "Cron expression" };

/** The browser's zone, the likeliest one meant by "09:00". */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/**
 * Sets a schedule through its target's set operation (`save`: schedules.set for a view,
 * transformations.setSchedule for a transformation): every N minutes, or a cron expression in an
 * IANA time zone. The server validates the expression and zone; its refusal shows under the field.
 */
export function ScheduleEditor({
  save: saveRule,
  initial,
  onDone,
  onCancel,
}: {
  save: (rule: ScheduleRuleInput) => Promise<unknown>;
  initial: ScheduleDraft;
  /** After a save; the caller refreshes what shows the schedule. */
  onDone: () => Promise<unknown> | undefined;
  onCancel?: () => void;
}) {
  const id = useId();
  const save = useMutation({ mutationFn: saveRule });
  const [draft, setDraft] = useState(initial);
  const [errors, setErrors] = useState<Errors>({});
  const change = (patch: Partial<ScheduleDraft>) => setDraft((d) => ({ ...d, ...patch }));

  function submit(e: FormEvent) {
    e.preventDefault();
    setErrors({});
    const minutes = Number(draft.everyMinutes);
    if (draft.kind === "every" && (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440))
      return setErrors({ everyMinutes: "A whole number of minutes from 1 to 1440" });
    if (draft.kind === "cron" && !draft.cron.trim()) return setErrors({ cron: "Enter a cron expression" });
    const rule =
      draft.kind === "every"
        ? { kind: "every" as const, everyMinutes: minutes }
        : { kind: "cron" as const, cron: draft.cron.trim(), timeZone: draft.timeZone.trim() || "UTC" };
    save.mutate(rule, {
      onSuccess: async () => {
        await onDone();
      },
      onError: (error) => {
        const { field, message } = serverError(error);
        if (field === "cron" || field === "timeZone" || field === "everyMinutes")
          setErrors({ [field]: message });
        else setErrors({ form: message });
      },
    });
  }

  return (
    <form
      onSubmit={submit}
      noValidate
      aria-label="Schedule"
      className="flex flex-col gap-3 rounded-lg border border-zinc-200 bg-zinc-50/70 p-4"
    >
      <SegmentedChoice
        legend="Runs"
        name={`${id}-kind`}
        options={KIND_ORDER}
        value={draft.kind}
        onChange={(kind) => change({ kind })}
        labelOf={(k) => KIND_LABELS[k]}
        disabled={save.isPending}
      />
      {draft.kind === "every" ? (
        <Field
          label="Minutes"
          error={errors.everyMinutes}
          hint="1 to 1440; counted from 00:00 UTC, so 15 runs at :00, :15, :30 and :45."
          className="w-60"
        >
          <Input
            type="number"
            min={1}
            max={1440}
            data-testid="schedule-minutes"
            value={draft.everyMinutes}
            onChange={(e) => change({ everyMinutes: e.target.value })}
            disabled={save.isPending}
          />
        </Field>
      ) : (
        <div className="flex flex-wrap items-start gap-4">
          <Field
            label="Cron expression"
            error={errors.cron}
            hint="Five fields: minute hour day-of-month month day-of-week, e.g. */15 * * * *."
            className="w-72"
          >
            <Input
              data-testid="schedule-cron"
              className="font-mono"
              value={draft.cron}
              placeholder="0 6 * * *"
              onChange={(e) => change({ cron: e.target.value })}
              disabled={save.isPending}
            />
          </Field>
          <Field
            label="Time zone"
            error={errors.timeZone}
            hint="IANA name; daylight saving time is followed."
            className="w-60"
          >
            <Input
              data-testid="schedule-timezone"
              value={draft.timeZone}
              placeholder="UTC"
              onChange={(e) => change({ timeZone: e.target.value })}
              disabled={save.isPending}
            />
          </Field>
        </div>
      )}
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
          disabled={save.isPending}
          data-testid="schedule-save"
        >
          {save.isPending && <Spinner className="size-3.5 text-white" label="Saving" />}
          Save schedule
        </Button>
        {onCancel && (
          <Button variant="ghost" size="sm" disabled={save.isPending} onClick={onCancel}>
            Cancel
          </Button>
        )}
      </div>
    </form>
  );
}
