"use client";

import { Plus } from "lucide-react";
import { useState } from "react";
import { useProjectRole } from "@/components/auth/use-project-role";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Select } from "@/components/ui/select";
import type { RouterOutputs } from "@/trpc/types";
import { NewSourceForm } from "../sources/new-source-form";

type Source = RouterOutputs["sources"]["list"][number];

interface SourcePickerProps {
  project: string;
  value: string;
  onChange: (name: string) => void;
  sources: Source[];
  error?: string;
  id: string;
  disabled?: boolean;
}

/** One data source from the project's list, or a new one registered inline. */
export function SourcePicker({ project, value, onChange, sources, error, id, disabled }: SourcePickerProps) {
  const { can } = useProjectRole(project);
  const [creating, setCreating] = useState(false);
  const chosen = sources.find((s) => s.name === value);
  const where = !chosen
    ? undefined
    : chosen.kind === "table"
      ? chosen.tableName
      : chosen.kind === "file"
        ? `${chosen.fileFormat === "csv" ? "CSV" : "Parquet"} file ${chosen.path}`
        : "SQL query";
  return (
    <div className="flex flex-col gap-1.5">
      <Field
        label="Source"
        required
        id={id}
        error={error}
        hint={
          chosen
            ? `${where} · event time in ${chosen.timestampField}`
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
            {/* A name typed elsewhere (an edited view whose source was renamed) stays visible. */}
            {value && !chosen && <option value={value}>{value}</option>}
          </Select>
          {!creating && can("definitions.write") && (
            <Button disabled={disabled} onClick={() => setCreating(true)}>
              <Plus className="size-4" aria-hidden />
              New source
            </Button>
          )}
        </div>
      </Field>
      {creating && (
        <NewSourceForm
          project={project}
          onCancel={() => setCreating(false)}
          onCreated={(name) => {
            setCreating(false);
            onChange(name);
          }}
        />
      )}
    </div>
  );
}
