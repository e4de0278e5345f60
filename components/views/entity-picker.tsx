"use client";

import { Plus, X } from "lucide-react";
import { useState } from "react";
import { useProjectRole } from "@/components/auth/use-project-role";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { Select } from "@/components/ui/select";
import type { RouterOutputs } from "@/trpc/types";
import { NewEntityForm } from "../entities/new-entity-form";
import { InlineError } from "../forms/inline-error";

type Entity = RouterOutputs["entities"]["list"][number];

interface EntityPickerProps {
  project: string;
  /** Selected entity names, in join-key order. */
  value: string[];
  onChange: (names: string[]) => void;
  entities: Entity[];
  /** Error by path: "entities" for the list, "entities.1" for one entry. */
  errorOf: (path: string) => string | undefined;
  id: string;
  disabled?: boolean;
}

/**
 * Multi-select of entities: the chosen ones as removable chips (their order is the join-key
 * order), a select to add another, and an inline form to register a new one.
 */
export function EntityPicker({
  project,
  value,
  onChange,
  entities,
  errorOf,
  id,
  disabled,
}: EntityPickerProps) {
  const { can } = useProjectRole(project);
  const [creating, setCreating] = useState(false);
  const byName = new Map(entities.map((e) => [e.name, e]));
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
                {entity && (
                  <span className="font-mono text-[11px] text-zinc-500">
                    {entity.joinKey}: {entity.valueType}
                  </span>
                )}
                <button
                  type="button"
                  aria-label={`Remove entity ${name}`}
                  disabled={disabled}
                  onClick={() => onChange(value.filter((n) => n !== name))}
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
          <Button size="md" disabled={disabled} onClick={() => setCreating(true)}>
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
        <NewEntityForm
          project={project}
          onCancel={() => setCreating(false)}
          onCreated={(name) => {
            setCreating(false);
            if (!value.includes(name)) onChange([...value, name]);
          }}
        />
      )}
    </div>
  );
}
