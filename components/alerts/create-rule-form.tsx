"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { serverError } from "@/components/forms/form-errors";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { SegmentedChoice } from "@/components/ui/segmented-choice";
import { Select } from "@/components/ui/select";
import { ALERT_EVENTS, ALERT_FORMATS, type AlertEvent, type AlertFormat } from "@/server/core/vocabulary";
import { useTRPC } from "@/trpc/client";
import { EVENT_HINT, EVENT_LABEL, FORMAT_HINT, FORMAT_LABEL } from "./alert-words";

/** A new rule: name, webhook URL, body format, events, optional view; hands the secret up once. */
export function CreateRuleForm({
  project,
  onCreated,
  onCancel,
}: {
  project: string;
  onCreated: (name: string, secret: string) => Promise<void>;
  onCancel: () => void;
}) {
  const trpc = useTRPC();
  const create = useMutation(trpc.alerts.rules.create.mutationOptions());
  const views = useQuery(trpc.featureViews.list.queryOptions({ project }));
  const [name, setName] = useState("");
  const [url, setUrl] = useState("");
  const [format, setFormat] = useState<AlertFormat>("json");
  const [events, setEvents] = useState<AlertEvent[]>(["breach", "failed_run", "recovery"]);
  const [featureView, setFeatureView] = useState("");
  const failure = create.error ? serverError(create.error) : null;
  const errorOf = (field: string) =>
    failure && (failure.field === field || failure.issues?.[field])
      ? (failure.issues?.[field] ?? failure.message)
      : null;
  const shown = ["name", "url", "events", "featureView"].some((f) => errorOf(f));

  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate(
      { project, name: name.trim(), url: url.trim(), format, events, featureView: featureView || undefined },
      { onSuccess: ({ rule, secret }) => onCreated(rule.name, secret) },
    );
  }

  return (
    <form
      onSubmit={submit}
      aria-label="Create an alert rule"
      className="mb-4 flex flex-col gap-4 rounded-lg border border-zinc-200 bg-zinc-50/60 p-4"
    >
      <div className="grid grid-cols-1 gap-4 md:grid-cols-[16rem_minmax(0,1fr)]">
        <Field label="Name" required error={errorOf("name")} hint="Where it goes, e.g. #ml-oncall">
          <Input
            value={name}
            onChange={(e) => {
              setName(e.target.value);
              create.reset();
            }}
            autoComplete="off"
            autoFocus
            required
          />
        </Field>
        <Field
          label="Webhook URL"
          required
          error={errorOf("url")}
          hint="http or https, without a user name or password; redirects are not followed"
        >
          <Input
            type="url"
            value={url}
            onChange={(e) => {
              setUrl(e.target.value);
              create.reset();
            }}
            placeholder="https://hooks.example.com/…"
            autoComplete="off"
            required
          />
        </Field>
      </div>
      <SegmentedChoice
        legend="Format"
        name="alert-format"
        options={ALERT_FORMATS}
        value={format}
        onChange={setFormat}
        labelOf={(f) => FORMAT_LABEL[f]}
      >
        <p className="text-xs text-zinc-500">{FORMAT_HINT[format]}</p>
      </SegmentedChoice>
      <fieldset className="flex flex-col gap-1.5">
        <legend className="mb-1.5 text-sm font-medium text-zinc-800">Events</legend>
        <div className="grid grid-cols-1 gap-2 sm:grid-cols-2">
          {ALERT_EVENTS.map((ev) => (
            <label key={ev} className="flex items-start gap-2 text-sm text-zinc-800">
              <input
                type="checkbox"
                className="mt-0.5 size-4 accent-indigo-600"
                checked={events.includes(ev)}
                onChange={(e) =>
                  setEvents((cur) => (e.target.checked ? [...cur, ev] : cur.filter((x) => x !== ev)))
                }
              />
              <span>
                {EVENT_LABEL[ev]}
                <span className="block text-xs text-zinc-500">{EVENT_HINT[ev]}</span>
              </span>
            </label>
          ))}
        </div>
        {errorOf("events") && <p className="text-sm text-red-600">{errorOf("events")}</p>}
      </fieldset>
      <Field
        label="Feature view"
        error={errorOf("featureView")}
        hint="Only this view's events; empty: every view"
        className="max-w-sm"
      >
        <Select value={featureView} onChange={(e) => setFeatureView(e.target.value)}>
          <option value="">Every view</option>
          {views.data?.map((v) => (
            <option key={v.name} value={v.name}>
              {v.name}
            </option>
          ))}
        </Select>
      </Field>
      {failure && !shown && <p className="text-sm text-red-600">{failure.message}</p>}
      <div className="flex items-center gap-2">
        <Button
          type="submit"
          variant="primary"
          disabled={create.isPending || !name.trim() || !url.trim() || events.length === 0}
        >
          {create.isPending ? "Creating…" : "Create rule"}
        </Button>
        <Button variant="ghost" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
