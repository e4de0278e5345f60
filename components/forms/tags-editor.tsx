"use client";

import { Plus, X } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { InlineError } from "./inline-error";
import { newTagRow, type TagRow } from "./rows";

interface TagsEditorProps {
  rows: TagRow[];
  onChange: (rows: TagRow[]) => void;
  /** Error of a row's key or value by path ("tags.1.key"), or of the whole record ("tags"). */
  errorOf: (path: string) => string | undefined;
  idPrefix: string;
  disabled?: boolean;
}

/** Key/value rows for a tags record; blank rows are ignored on submit. */
export function TagsEditor({ rows, onChange, errorOf, idPrefix, disabled }: TagsEditorProps) {
  const update = (i: number, patch: Partial<TagRow>) =>
    onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <fieldset className="flex flex-col gap-1.5">
      <legend className="mb-1.5 text-sm font-medium text-zinc-800">Tags</legend>
      {rows.length === 0 && (
        <p className="text-xs text-zinc-500">No tags. Tags like team:drivers help others find features.</p>
      )}
      {rows.map((row, i) => {
        const keyError = errorOf(`tags.${i}.key`);
        const valueError = errorOf(`tags.${i}.value`);
        return (
          <div key={row.id} className="flex flex-col gap-1">
            <div className="flex items-center gap-2">
              <div className="w-56 shrink-0">
                <Input
                  id={`${idPrefix}-tags-${i}-key`}
                  aria-label={`Tag ${i + 1} key`}
                  aria-invalid={keyError ? true : undefined}
                  placeholder="key"
                  value={row.key}
                  disabled={disabled}
                  onChange={(e) => update(i, { key: e.target.value })}
                  className="font-mono text-[13px]"
                />
              </div>
              <span className="text-zinc-400">:</span>
              <div className="min-w-0 flex-1">
                <Input
                  id={`${idPrefix}-tags-${i}-value`}
                  aria-label={`Tag ${i + 1} value`}
                  aria-invalid={valueError ? true : undefined}
                  placeholder="value"
                  value={row.value}
                  disabled={disabled}
                  onChange={(e) => update(i, { value: e.target.value })}
                />
              </div>
              <Button
                variant="ghost"
                size="sm"
                aria-label={`Remove tag ${i + 1}`}
                disabled={disabled}
                onClick={() => onChange(rows.filter((_, j) => j !== i))}
              >
                <X className="size-4" aria-hidden />
              </Button>
            </div>
            <InlineError message={keyError ?? valueError} />
          </div>
        );
      })}
      <InlineError message={errorOf("tags")} />
      <div>
        <Button size="sm" disabled={disabled} onClick={() => onChange([...rows, newTagRow()])}>
          <Plus className="size-3.5" aria-hidden />
          Add tag
        </Button>
      </div>
    </fieldset>
  );
}
