"use client";

import { Search, X } from "lucide-react";
import { useId, useState } from "react";
import { TypeBadge } from "@/components/catalog/type-badge";
import { InlineError } from "@/components/forms/inline-error";
import { Switch } from "@/components/forms/switch";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { Field } from "@/components/ui/field";
import { plural } from "@/components/ui/format";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import type { RouterOutputs } from "@/trpc/types";
import type { DatasetFormState, SelectionMode } from "./dataset-form-state";
import { Segmented } from "./segmented";

type View = RouterOutputs["featureViews"]["list"][number];
type Service = RouterOutputs["featureServices"]["list"][number];

interface FeatureSelectionProps {
  state: Pick<DatasetFormState, "mode" | "featureService" | "features" | "fullFeatureNames">;
  onChange: (patch: Partial<DatasetFormState>, changed: string) => void;
  views: View[];
  services: Service[];
  errorOf: (key: string) => string | undefined;
  disabled?: boolean;
}

/** What the dataset reads: one feature service, or features picked from the project's views. */
export function FeatureSelection({
  state,
  onChange,
  views,
  services,
  errorOf,
  disabled,
}: FeatureSelectionProps) {
  const id = useId();
  const chosen = services.find((s) => s.name === state.featureService);
  return (
    <div className="flex flex-col gap-5">
      <Segmented<SelectionMode>
        label="Read features from"
        value={state.mode}
        onChange={(mode) => onChange({ mode }, "selection")}
        options={[
          { value: "service", label: "A feature service" },
          { value: "features", label: "Features I pick" },
        ]}
        disabled={disabled}
      />
      {state.mode === "service" ? (
        <Field
          label="Feature service"
          required
          id={`${id}-service`}
          error={errorOf("selection.featureService")}
          hint={
            chosen
              ? `${plural(chosen.features.length, "feature")}: ${chosen.features.join(", ")}`
              : services.length === 0
                ? "This project has no feature services yet; pick features instead."
                : "The features a model reads together, by name."
          }
        >
          <Select
            value={state.featureService}
            disabled={disabled}
            onChange={(e) => onChange({ featureService: e.target.value }, "selection.featureService")}
            className="w-full max-w-md font-mono text-[13px]"
          >
            <option value="">{services.length === 0 ? "No feature services" : "Choose a service…"}</option>
            {services.map((s) => (
              <option key={s.id} value={s.name}>
                {s.name}
              </option>
            ))}
          </Select>
        </Field>
      ) : (
        <FeaturePicker
          views={views}
          value={state.features}
          onChange={(features) => onChange({ features }, "selection.features")}
          error={errorOf("selection.features")}
          disabled={disabled}
        />
      )}
      <div className="flex flex-col gap-1">
        <Switch
          id={`${id}-full`}
          checked={state.fullFeatureNames}
          onChange={(fullFeatureNames) => onChange({ fullFeatureNames }, "selection.fullFeatureNames")}
          label="Full feature names"
          description="Name the columns view__feature instead of feature; needed when two views have a feature of the same name."
          disabled={disabled}
        />
        <InlineError message={errorOf("selection.fullFeatureNames")} />
      </div>
    </div>
  );
}

/** Words of a search, each of which must occur in the feature's name, view or description. */
function matches(words: string[], view: View, field: { name: string; description?: string }): boolean {
  const text = `${view.name} ${field.name} ${field.description ?? ""}`.toLowerCase();
  return words.every((w) => text.includes(w));
}

interface FeaturePickerProps {
  views: View[];
  /** "view:feature" references. */
  value: string[];
  onChange: (refs: string[]) => void;
  error?: string;
  disabled?: boolean;
}

/** A searchable multi-select over the features of every view, grouped by view; picks shown as chips. */
function FeaturePicker({ views, value, onChange, error, disabled }: FeaturePickerProps) {
  const id = useId();
  const [q, setQ] = useState("");
  const words = q.toLowerCase().split(/\s+/).filter(Boolean);
  const picked = new Set(value);
  const toggle = (ref: string, on: boolean) =>
    onChange(on ? [...value.filter((r) => r !== ref), ref] : value.filter((r) => r !== ref));
  const groups = views
    .map((v) => ({ view: v, fields: v.spec.fields.filter((f) => matches(words, v, f)) }))
    .filter((g) => g.fields.length > 0);

  return (
    <div className="flex flex-col gap-2">
      <div className="flex flex-wrap items-end justify-between gap-2">
        <label htmlFor={`${id}-q`} className="text-sm font-medium text-zinc-800">
          Features
          <span className="ml-0.5 text-red-600" aria-hidden>
            *
          </span>
        </label>
        <span className="text-xs text-zinc-500" aria-live="polite">
          {plural(value.length, "feature")} picked
        </span>
      </div>
      {value.length > 0 && (
        <ul className="flex flex-wrap gap-1.5" aria-label="Picked features">
          {value.map((ref) => (
            <li
              key={ref}
              className="inline-flex max-w-full items-center gap-1 rounded-full border border-indigo-200 bg-indigo-50 py-px pr-1 pl-2 font-mono text-xs text-indigo-800"
            >
              <span className="truncate" title={ref}>
                {ref}
              </span>
              <button
                type="button"
                disabled={disabled}
                onClick={() => toggle(ref, false)}
                aria-label={`Remove ${ref}`}
                className="rounded-full p-0.5 hover:bg-indigo-100"
              >
                <X className="size-3" aria-hidden />
              </button>
            </li>
          ))}
          <li>
            <Button size="sm" variant="ghost" disabled={disabled} onClick={() => onChange([])}>
              Clear
            </Button>
          </li>
        </ul>
      )}
      <div className="relative">
        <Search
          className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-zinc-400"
          aria-hidden
        />
        <Input
          id={`${id}-q`}
          type="search"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          placeholder="Search by feature, view or description"
          aria-invalid={!!error || undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          disabled={disabled}
          className="pl-8"
          autoComplete="off"
        />
      </div>
      <div
        className={cn(
          "max-h-80 overflow-y-auto rounded-md border bg-white",
          error ? "border-red-300" : "border-zinc-200",
        )}
      >
        {views.length === 0 ? (
          <p className="px-3 py-6 text-center text-sm text-zinc-500">
            This project has no feature views yet.
          </p>
        ) : groups.length === 0 ? (
          <p className="px-3 py-6 text-center text-sm text-zinc-500">No feature matches "{q}".</p>
        ) : (
          groups.map(({ view, fields }) => {
            const refs = fields.map((f) => `${view.name}:${f.name}`);
            const all = refs.every((r) => picked.has(r));
            const offline = view.spec.offline !== false;
            return (
              <fieldset
                key={view.id}
                className="border-b border-zinc-100 last:border-b-0"
                disabled={disabled || !offline}
              >
                <legend className="sr-only">{view.name}</legend>
                <div className="sticky top-0 flex items-center justify-between gap-2 bg-zinc-50/95 px-3 py-1.5 backdrop-blur">
                  <span
                    className="min-w-0 truncate font-mono text-xs font-medium text-zinc-700"
                    title={view.name}
                  >
                    {view.name}
                    <span className="ml-2 font-sans font-normal text-zinc-400">
                      {offline ? view.entityNames.join(", ") : "not available offline"}
                    </span>
                  </span>
                  {offline && (
                    <button
                      type="button"
                      className="shrink-0 text-xs font-medium text-indigo-600 hover:underline disabled:text-zinc-400"
                      onClick={() =>
                        onChange(
                          all
                            ? value.filter((r) => !refs.includes(r))
                            : [...value, ...refs.filter((r) => !picked.has(r))],
                        )
                      }
                    >
                      {all ? "None" : "All"}
                    </button>
                  )}
                </div>
                <ul>
                  {fields.map((f) => {
                    const ref = `${view.name}:${f.name}`;
                    return (
                      <li key={f.name}>
                        <label className="flex min-w-0 cursor-pointer items-center gap-2.5 px-3 py-1.5 hover:bg-zinc-50 has-disabled:cursor-not-allowed has-disabled:opacity-50">
                          <input
                            type="checkbox"
                            checked={picked.has(ref)}
                            onChange={(e) => toggle(ref, e.target.checked)}
                            aria-label={ref}
                            className="size-4 shrink-0 accent-indigo-600"
                          />
                          <span className="shrink-0 font-mono text-[13px] text-zinc-900">{f.name}</span>
                          <TypeBadge dtype={f.dtype} />
                          {f.description && (
                            <span
                              className="min-w-0 truncate text-xs text-zinc-500 max-sm:hidden"
                              title={f.description}
                            >
                              {f.description}
                            </span>
                          )}
                        </label>
                      </li>
                    );
                  })}
                </ul>
              </fieldset>
            );
          })
        )}
      </div>
      <InlineError message={error} id={`${id}-error`} />
    </div>
  );
}
