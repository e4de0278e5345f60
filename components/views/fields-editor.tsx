"use client";

import { Plus, Trash2 } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Table, TBody, TD, TH, THead } from "@/components/ui/table";
import { VALUE_TYPES, type ValueType } from "@/server/registry/schemas";
import { InlineError } from "../forms/inline-error";
import { type FieldRow, newFieldRow } from "./view-form-state";

interface FieldsEditorProps {
  rows: FieldRow[];
  onChange: (rows: FieldRow[]) => void;
  /** Error by path: "fields.2.name", "fields.2.dtype", or "fields" for the list. */
  errorOf: (path: string) => string | undefined;
  idPrefix: string;
  disabled?: boolean;
}

/** The view's schema as editable rows: name, value type (scalars and lists) and description. */
export function FieldsEditor({ rows, onChange, errorOf, idPrefix, disabled }: FieldsEditorProps) {
  const update = (i: number, patch: Partial<FieldRow>) =>
    onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const listError = errorOf("fields");
  return (
    <div className="flex flex-col gap-2">
      <Table>
        <THead>
          <tr>
            <TH className="w-10 text-right">#</TH>
            <TH className="w-[32%]">Name</TH>
            <TH className="w-48">Type</TH>
            <TH>Description</TH>
            <TH className="w-12">
              <span className="sr-only">Remove</span>
            </TH>
          </tr>
        </THead>
        <TBody>
          {rows.map((row, i) => {
            const nameError = errorOf(`fields.${i}.name`);
            const typeError = errorOf(`fields.${i}.dtype`);
            const descriptionError = errorOf(`fields.${i}.description`);
            return (
              <tr key={row.id} className="[&:last-child>td]:border-b-0">
                <TD className="pt-3.5 text-right align-top text-xs text-zinc-400 tabular-nums">{i + 1}</TD>
                <TD className="align-top">
                  <Input
                    id={`${idPrefix}-fields-${i}-name`}
                    aria-label={`Field ${i + 1} name`}
                    aria-invalid={nameError ? true : undefined}
                    placeholder="conv_rate"
                    autoComplete="off"
                    spellCheck={false}
                    value={row.name}
                    disabled={disabled}
                    onChange={(e) => update(i, { name: e.target.value })}
                    className="font-mono text-[13px]"
                  />
                  <div className="mt-1 empty:hidden">
                    <InlineError message={nameError} />
                  </div>
                </TD>
                <TD className="align-top">
                  <Select
                    id={`${idPrefix}-fields-${i}-dtype`}
                    aria-label={`Field ${i + 1} type`}
                    aria-invalid={typeError ? true : undefined}
                    value={row.dtype}
                    disabled={disabled}
                    onChange={(e) => update(i, { dtype: e.target.value as ValueType })}
                    className="font-mono text-[13px]"
                  >
                    <ValueTypeOptions />
                  </Select>
                  <div className="mt-1 empty:hidden">
                    <InlineError message={typeError} />
                  </div>
                </TD>
                <TD className="align-top">
                  <Input
                    id={`${idPrefix}-fields-${i}-description`}
                    aria-label={`Field ${i + 1} description`}
                    aria-invalid={descriptionError ? true : undefined}
                    placeholder="What the value means, its unit"
                    value={row.description}
                    disabled={disabled}
                    onChange={(e) => update(i, { description: e.target.value })}
                  />
                  <div className="mt-1 empty:hidden">
                    <InlineError message={descriptionError} />
                  </div>
                </TD>
                <TD className="align-top">
                  <Button
                    variant="ghost"
                    size="sm"
                    className="mt-0.5"
                    aria-label={`Remove field ${i + 1}`}
                    title="Remove field"
                    disabled={disabled || rows.length === 1}
                    onClick={() => onChange(rows.filter((_, j) => j !== i))}
                  >
                    <Trash2 className="size-4" aria-hidden />
                  </Button>
                </TD>
              </tr>
            );
          })}
        </TBody>
      </Table>
      <InlineError message={listError} />
      <div>
        <Button size="sm" disabled={disabled} onClick={() => onChange([...rows, newFieldRow()])}>
          <Plus className="size-3.5" aria-hidden />
          Add field
        </Button>
      </div>
    </div>
  );
}

const SCALARS = VALUE_TYPES.filter((t) => !t.startsWith("list<"));
const LISTS = VALUE_TYPES.filter((t) => t.startsWith("list<"));

/** Every value type: the scalars, then lists of them. */
function ValueTypeOptions() {
  return (
    <>
      <optgroup label="Scalar">
        {SCALARS.map((t) => (
          <option key={t} value={t}>
            {t}
          </option>
        ))}
      </optgroup>
      <optgroup label="List">
        {LISTS.map((t) => (
          <option key={t} value={t}>
            {t}
          </option>
        ))}
      </optgroup>
    </>
  );
}
