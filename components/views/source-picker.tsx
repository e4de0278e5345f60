"use client";

import { Plus } from "lucide-react";
import { useState } from "react";
import { useProjectRole } from "@/components/auth/use-project-role";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Select } from "@/components/ui/select";
import type { RouterOutputs } from "@/trpc/types";
import { InlineSourceForm } from "../sources/source-form";
import { type SourceValue, whereOfSource } from "../sources/source-form-state";

type Source = RouterOutputs["sources"]["list"][number];

interface SourcePickerProps {
  project: string;
  value: string;
  onChange: (name: string) => void;
  sources: Source[];
  /** A new source typed here, created when the view is saved. */
  draft: SourceValue | null;
  onDraftChange: (draft: SourceValue | null) => void;
  error?: string;
  id: string;
  disabled?: boolean;
}

/**
 * One data source from the project's list, or a new one typed inline: kept as a draft in the view
 * form and created when the view is saved.
 */
export function SourcePicker({
  project,
  value,
  onChange,
  sources,
  draft,
  onDraftChange,
  error,
  id,
  disabled,
}: SourcePickerProps) {
  const { can } = useProjectRole(project);
  const [creating, setCreating] = useState(false);
  const chosen = sources.find((s) => s.name === value) ?? (draft?.name === value ? draft : undefined);
  const where = chosen && whereOfSource(chosen);
  return (
    <div className="flex flex-col gap-1.5">
      <Field
        label="Source"
        required
        id={id}
        error={error}
        hint={
          chosen
            ? `${chosen === draft ? "New, created with the view: " : ""}${where} · event time in ${chosen.timestampField}`
            : "The offline data the features are read from."
        }
      >
        <div className="flex items-center gap-2">
          <Select
            value={value}
            disabled={disabled}
            onChange={(e) => onChange(e.target.value)}
            className="w-72 font-mono text-[13px]"
          >
            <option value="">{sources.length === 0 ? "No sources yet" : "Choose a source…"}</option>
            {sources.map((s) => (
              <option key={s.id} value={s.name}>
                {s.name}
              </option>
            ))}
            {draft && <option value={draft.name}>{draft.name} (new)</option>}
            {/* A name typed elsewhere (an edited view whose source was renamed) stays visible. */}
            {value && !chosen && <option value={value}>{value}</option>}
          </Select>
          {!creating && can("definitions.write") && (
            <Button disabled={disabled} onClick={() => setCreating(true)}>
              <Plus className="size-4" aria-hidden />
              {draft ? "Change new source" : "New source"}
            </Button>
          )}
          {!creating && draft && (
            <Button
              variant="ghost"
              disabled={disabled}
              onClick={() => {
                if (value === draft.name) onChange("");
                onDraftChange(null);
              }}
            >
              Discard new source
            </Button>
          )}
        </div>
      </Field>
      {creating && (
        <InlineSourceForm
          project={project}
          initial={draft ?? undefined}
          taken={sources.map((s) => s.name)}
          onCancel={() => setCreating(false)}
          onAdd={(source) => {
            setCreating(false);
            onDraftChange(source);
            onChange(source.name);
          }}
        />
      )}
    </div>
  );
}
