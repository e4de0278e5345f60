"use client";

import { CircleCheck, Code, FileUp, Grid3x3 } from "lucide-react";
import { type ChangeEvent, useId, useRef, useState } from "react";
import { InlineError } from "@/components/forms/inline-error";
import { Field } from "@/components/ui/field";
import { formatCount, plural } from "@/components/ui/format";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Spinner } from "@/components/ui/skeleton";
import { Textarea } from "@/components/ui/textarea";
import { toSeconds } from "@/components/views/duration";
import { DurationInput } from "@/components/views/duration-input";
import type { DatasetEntitySource } from "@/server/core/vocabulary";
import { MAX_QUERY_CHARS } from "@/server/registry/schemas";
import type { RouterOutputs } from "@/trpc/types";
import { type DatasetFormState, fromUtcInput, type UploadedFile } from "./dataset-form-state";
import { Segmented } from "./segmented";
import { readBase64, UploadError, uploadEntities } from "./upload-entities";

type View = RouterOutputs["featureViews"]["list"][number];

interface EntitySourceInputProps {
  project: string;
  state: Pick<DatasetFormState, "source" | "upload" | "sql" | "grid">;
  onChange: (patch: Partial<DatasetFormState>, changed: string) => void;
  views: View[];
  errorOf: (key: string) => string | undefined;
  disabled?: boolean;
}

/** Where the entity rows come from: an uploaded file, a SQL query, or a grid of times over a view. */
export function EntitySourceInput({
  project,
  state,
  onChange,
  views,
  errorOf,
  disabled,
}: EntitySourceInputProps) {
  return (
    <div className="flex flex-col gap-5">
      <Segmented<DatasetEntitySource>
        label="Entity rows from"
        value={state.source}
        onChange={(source) => onChange({ source }, "entitySource")}
        options={[
          { value: "upload", label: "Upload a file", icon: FileUp },
          { value: "query", label: "SQL query", icon: Code },
          { value: "grid", label: "Grid of times", icon: Grid3x3 },
        ]}
        disabled={disabled}
      />
      {state.source === "upload" ? (
        <UploadInput
          project={project}
          value={state.upload}
          onChange={(upload) => onChange({ upload }, "entitySource.path")}
          error={errorOf("entitySource.path")}
          disabled={disabled}
        />
      ) : state.source === "query" ? (
        <Field
          label="Query"
          required
          error={errorOf("entitySource.sql")}
          hint="One SELECT over the project's offline space returning the join keys and event_timestamp; it runs sandboxed, read-only."
        >
          <Textarea
            rows={7}
            value={state.sql}
            maxLength={MAX_QUERY_CHARS}
            onChange={(e) => onChange({ sql: e.target.value }, "entitySource.sql")}
            disabled={disabled}
            spellCheck={false}
            placeholder={
              "select driver_id, customer_id, event_timestamp\nfrom demo.orders\nwhere event_timestamp >= now() - interval '7 days'"
            }
            className="font-mono text-[13px]"
          />
        </Field>
      ) : (
        <GridInput
          grid={state.grid}
          onChange={(grid, changed) => onChange({ grid }, changed)}
          views={views}
          errorOf={errorOf}
          disabled={disabled}
        />
      )}
      <InlineError message={errorOf("entitySource")} />
    </div>
  );
}

/** "csv" or "parquet" from a file name; undefined for anything else. */
function formatOf(fileName: string): UploadedFile["format"] | undefined {
  const ext = fileName.toLowerCase().split(".").pop();
  return ext === "csv" ? "csv" : ext === "parquet" ? "parquet" : undefined;
}

interface UploadInputProps {
  project: string;
  value: UploadedFile | null;
  onChange: (upload: UploadedFile | null) => void;
  error?: string;
  disabled?: boolean;
}

/** A CSV or Parquet file of entity rows, sent to datasets.upload as soon as it is chosen; then its shape. */
function UploadInput({ project, value, onChange, error, disabled }: UploadInputProps) {
  const id = useId();
  const [pending, setPending] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  // Only the latest choice counts when files are picked quickly one after another.
  const latest = useRef(0);

  async function choose(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    const round = ++latest.current;
    setProblem(null);
    onChange(null);
    if (!file) return;
    const format = formatOf(file.name);
    if (!format) return setProblem(`${file.name}: choose a .csv or .parquet file`);
    if (file.size === 0) return setProblem(`${file.name}: the file is empty`);
    setPending(true);
    try {
      const contentBase64 = await readBase64(file);
      const uploaded = await uploadEntities({ project, fileName: file.name, format, contentBase64 });
      if (round === latest.current) onChange(uploaded);
    } catch (err) {
      const message = err instanceof UploadError ? err.message : "the file could not be uploaded";
      if (round === latest.current) setProblem(`${file.name}: ${message}`);
    } finally {
      if (round === latest.current) setPending(false);
    }
  }

  const shown = problem ?? error;
  return (
    <div className="flex flex-col gap-2">
      <Field
        label="Entity file"
        required
        id={`${id}-file`}
        error={shown}
        hint="A CSV (with a header) or Parquet file: one row per training example, with the join keys and event_timestamp."
      >
        <Input
          type="file"
          accept=".csv,.parquet,text/csv"
          onChange={choose}
          disabled={disabled || pending}
          data-testid="entity-file"
          className="h-auto py-1 file:mr-3 file:rounded file:border-0 file:bg-zinc-100 file:px-2.5 file:py-1 file:text-sm file:font-medium file:text-zinc-700 hover:file:bg-zinc-200"
        />
      </Field>
      {pending && (
        <p className="flex items-center gap-2 text-sm text-zinc-600" role="status">
          <Spinner className="size-3.5" label="Uploading" />
          Uploading and reading the file…
        </p>
      )}
      {value && !pending && (
        <div
          data-testid="upload-summary"
          className="flex min-w-0 items-start gap-2 rounded-md border border-emerald-200 bg-emerald-50/60 px-3 py-2 text-sm text-emerald-900"
        >
          <CircleCheck className="mt-0.5 size-4 shrink-0 text-emerald-600" aria-hidden />
          <div className="min-w-0">
            <p className="break-words">
              <span className="font-mono text-[13px] font-medium">{value.fileName}</span>:{" "}
              <span data-testid="upload-rows">{plural(value.rows, "row")}</span>,{" "}
              {plural(value.columns.length, "column")}
            </p>
            <p className="mt-0.5 font-mono text-xs break-words text-emerald-800">
              {value.columns.join(", ")}
            </p>
          </div>
        </div>
      )}
    </div>
  );
}

interface GridInputProps {
  grid: DatasetFormState["grid"];
  onChange: (grid: DatasetFormState["grid"], changed: string) => void;
  views: View[];
  errorOf: (key: string) => string | undefined;
  disabled?: boolean;
}

/** Times start, start + step, ..., end (UTC), or null when the inputs do not make a grid yet. */
function gridTimes(grid: DatasetFormState["grid"]): number | null {
  const start = fromUtcInput(grid.start);
  const end = fromUtcInput(grid.end);
  const step = toSeconds(grid.step);
  if (!start || !end || !step || !Number.isFinite(step) || step < 1) return null;
  const span = (Date.parse(end) - Date.parse(start)) / 1000;
  return span < 0 ? null : Math.floor(span / step) + 1;
}

/** Every entity of one view at a grid of times, UTC. */
function GridInput({ grid, onChange, views, errorOf, disabled }: GridInputProps) {
  const id = useId();
  const chosen = views.find((v) => v.name === grid.view);
  const times = gridTimes(grid);
  return (
    <div className="flex flex-col gap-4">
      <Field
        label="Entities of"
        required
        id={`${id}-view`}
        error={errorOf("entitySource.view")}
        hint={
          chosen
            ? `Every ${chosen.entityNames.join(" × ")} key seen in ${chosen.sourceName} up to the end time.`
            : "The feature view whose entity keys make the rows."
        }
      >
        <Select
          value={grid.view}
          disabled={disabled}
          onChange={(e) => onChange({ ...grid, view: e.target.value }, "entitySource.view")}
          className="w-full max-w-md font-mono text-[13px]"
        >
          <option value="">{views.length === 0 ? "No feature views" : "Choose a feature view…"}</option>
          {views.map((v) => (
            <option key={v.id} value={v.name}>
              {v.name}
            </option>
          ))}
        </Select>
      </Field>
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3">
        <Field label="Start (UTC)" required id={`${id}-start`} error={errorOf("entitySource.start")}>
          <Input
            type="datetime-local"
            value={grid.start}
            disabled={disabled}
            onChange={(e) => onChange({ ...grid, start: e.target.value }, "entitySource.start")}
          />
        </Field>
        <Field label="End (UTC)" required id={`${id}-end`} error={errorOf("entitySource.end")}>
          <Input
            type="datetime-local"
            value={grid.end}
            disabled={disabled}
            onChange={(e) => onChange({ ...grid, end: e.target.value }, "entitySource.end")}
          />
        </Field>
        <Field
          label="Every"
          required
          id={`${id}-step`}
          error={errorOf("entitySource.stepSeconds")}
          hint={times === null ? undefined : `${plural(times, "time")} per entity`}
        >
          <DurationInput
            value={grid.step}
            onChange={(step) => onChange({ ...grid, step }, "entitySource.stepSeconds")}
            unitId={`${id}-step-unit`}
            unitLabel="Step unit"
            disabled={disabled}
          />
        </Field>
      </div>
      {times !== null && times > 1000 && (
        <p className="text-xs text-amber-700">
          {formatCount(times)} times for each entity: the dataset grows with entities × times.
        </p>
      )}
    </div>
  );
}
