"use client";

import { Plus, X } from "lucide-react";
import { useState } from "react";
import { useProjectRole } from "@/components/auth/use-project-role";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { Select } from "@/components/ui/select";
import type { RouterOutputs } from "@/trpc/types";
import { InlineEntityForm } from "../entities/entity-form";
import type { EntityValue } from "../entities/entity-form-state";
import { InlineError } from "../forms/inline-error";

type Entity = RouterOutputs["entities"]["list"][number];

interface EntityPickerProps {
  project: string;
  /** Selected entity names, in join-key order. */
  value: string[];
  onChange: (names: string[]) => void;
  entities: Entity[];
  /** New entities typed here, created when the view is saved. */
  drafts: EntityValue[];
  onDraftsChange: (drafts: EntityValue[]) => void;
  /** Error by path: "entities" for the list, "entities.1" for one entry. */
  errorOf: (path: string) => string | undefined;
  id: string;
  disabled?: boolean;
}

/**
 * Multi-select of entities: the chosen ones as removable chips (their order is the join-key
 * order), a select to add another, and an inline form for a new one: kept as a draft in the
 * view form and created when the view is saved.
 */
export function EntityPicker({
  project,
  value,
  onChange,
  entities,
  drafts,
  onDraftsChange,
  errorOf,
  id,
  disabled,
}: EntityPickerProps) {
  const { can } = useProjectRole(project);
  /** "new" for a new draft, or the name of the draft being changed. */
  const [editing, setEditing] = useState<string | null>(null);
  const creating = editing !== null;
  const byName = new Map<string, { joinKey: string; valueType: string }>(entities.map((e) => [e.name, e]));
  for (const d of drafts) byName.set(d.name, d);
  const isDraft = (name: string) => drafts.some((d) => d.name === name);
  const available = entities.filter((e) => !value.includes(e.name));
  const itemErrors = value.map((_, i) => errorOf(`entities.${i}`));
  const listError = errorOf("entities");
  const invalid = !!listError || itemErrors.some(Boolean);

  return (
    <div className="flex flex-col gap-1.5">
      <label htmlFor={id} className="text-sm font-medium text-zinc-800">
        Entities
        <span className="ml-0.5 text-red-600" aria-hidden>
          *
        </span>
      </label>
      {value.length > 0 && (
        <ul className="flex flex-wrap gap-1.5" aria-label="Selected entities">
          {value.map((name, i) => {
            const entity = byName.get(name);
            return (
              <li
                key={name}
                className={cn(
                  "inline-flex h-7 items-center gap-1.5 rounded-md border bg-white pr-1 pl-2 text-sm shadow-xs",
                  itemErrors[i] ? "border-red-400 bg-red-50" : "border-zinc-300",
                )}
              >
                <span className="font-mono text-[13px] text-zinc-900">{name}</span>
                {isDraft(name) && (
                  <button
                    type="button"
                    disabled={disabled}
                    onClick={() => setEditing(name)}
                    title="Created when the feature view is saved; click to change it"
                  >
                    <Badge tone="indigo">new</Badge>
                  </button>
                )}
                {entity && (
                  <span className="font-mono text-[11px] text-zinc-500">
                    {entity.joinKey}: {entity.valueType}
                  </span>
                )}
                <button
                  type="button"
                  aria-label={`Remove entity ${name}`}
                  disabled={disabled}
                  onClick={() => {
                    onChange(value.filter((n) => n !== name));
                    // A draft removed from the view is gone: nothing of it was saved.
                    if (isDraft(name)) onDraftsChange(drafts.filter((d) => d.name !== name));
                  }}
                  className="rounded p-0.5 text-zinc-400 hover:bg-zinc-100 hover:text-zinc-700"
                >
                  <X className="size-3.5" aria-hidden />
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <div className="flex items-center gap-2">
        <Select
          id={id}
          aria-invalid={invalid || undefined}
          value=""
          disabled={disabled || available.length === 0}
          onChange={(e) => e.target.value && onChange([...value, e.target.value])}
          className="w-72"
        >
          <option value="">
            {entities.length === 0
              ? "No entities yet"
              : available.length === 0
                ? "All entities chosen"
                : value.length === 0
                  ? "Choose an entity…"
                  : "Add another entity…"}
          </option>
          {available.map((e) => (
            <option key={e.id} value={e.name}>
              {e.name} ({e.joinKey}: {e.valueType})
            </option>
          ))}
        </Select>
        {!creating && can("definitions.write") && (
          <Button size="md" disabled={disabled} onClick={() => setEditing("new")}>
            <Plus className="size-4" aria-hidden />
            New entity
          </Button>
        )}
      </div>
      {itemErrors.map((message, i) =>
        message ? <InlineError key={value[i]} message={`${value[i]}: ${message}`} /> : null,
      )}
      {listError ? (
        <InlineError message={listError} />
      ) : (
        <p className="text-xs text-zinc-500">
          The view is keyed by these entities' join keys, in this order.
        </p>
      )}
      {creating && (
        <InlineEntityForm
          key={editing}
          initial={drafts.find((d) => d.name === editing)}
          taken={[
            ...entities.map((e) => e.name),
            ...drafts.filter((d) => d.name !== editing).map((d) => d.name),
          ]}
          onCancel={() => setEditing(null)}
          onAdd={(entity) => {
            setEditing(null);
            const before = editing === "new" ? undefined : editing;
            onDraftsChange([...drafts.filter((d) => d.name !== before), entity]);
            onChange(
              before && value.includes(before)
                ? value.map((n) => (n === before ? entity.name : n))
                : [...value.filter((n) => n !== entity.name), entity.name],
            );
          }}
        />
      )}
    </div>
  );
}
