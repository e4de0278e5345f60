"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId } from "react";
import { cn } from "@/components/ui/cn";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
import {
  DATA_SOURCE_KINDS,
  type DataSourceKind,
  FILE_FORMATS,
  type FileFormat,
} from "@/server/core/vocabulary";
import { DataSourceInput } from "@/server/registry/schemas";
import { useTRPC } from "@/trpc/client";
import { Subform } from "../forms/subform";
import { useSubform } from "../forms/use-subform";

const FIELDS = new Set([
  "name",
  "kind",
  "tableName",
  "query",
  "path",
  "fileFormat",
  "timestampField",
  "createdTimestampField",
]);

const KIND_LABELS: Record<DataSourceKind, string> = { table: "Table", query: "SQL query", file: "File" };

/** The format a file's extension names, if any. */
function formatOf(path: string): FileFormat | undefined {
  const ext = path.trim().toLowerCase().split(".").pop();
  return FILE_FORMATS.find((f) => f === ext);
}

/**
 * Registers a data source (a table or a SQL query of the offline store, or a Parquet or CSV file of
 * the project's file area) inside the feature view form.
 */
export function NewSourceForm({
  project,
  onCreated,
  onCancel,
}: {
  project: string;
  onCreated: (name: string) => void;
  onCancel: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const create = useMutation(trpc.sources.create.mutationOptions());
  const kindName = useId();
  const { form, banner, set, error, validate, onServerError } = useSubform(
    {
      name: "",
      kind: "table" as DataSourceKind,
      tableName: "",
      query: "",
      path: "",
      fileFormat: "parquet" as FileFormat,
      timestampField: "event_timestamp",
      createdTimestampField: "",
    },
    FIELDS,
  );

  function submit() {
    const created = form.createdTimestampField.trim();
    const input = validate(DataSourceInput, {
      name: form.name.trim(),
      kind: form.kind,
      ...(form.kind === "table"
        ? { tableName: form.tableName.trim() || undefined }
        : form.kind === "query"
          ? { query: form.query.trim() || undefined }
          : { path: form.path.trim() || undefined, fileFormat: form.fileFormat }),
      timestampField: form.timestampField.trim(),
      ...(created ? { createdTimestampField: created } : {}),
    });
    if (!input) return;
    create.mutate(
      { project, ...input },
      {
        onSuccess: async (source) => {
          await queryClient.invalidateQueries({ queryKey: trpc.sources.list.queryKey({ project }) });
          onCreated(source.name);
        },
        onError: onServerError,
      },
    );
  }

  return (
    <Subform
      title="New source"
      description="Where the view's rows come from: a table or a SQL query in the offline store, or a Parquet or CSV file of the project's file area."
      submitLabel="Create source"
      pending={create.isPending}
      error={banner}
      onSubmit={submit}
      onCancel={onCancel}
    >
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
        <Field label="Name" required error={error("name")}>
          <Input
            value={form.name}
            onChange={(e) => set("name", e.target.value)}
            placeholder="driver_stats_source"
            className="font-mono text-[13px]"
            autoComplete="off"
            spellCheck={false}
            autoFocus
          />
        </Field>
        <fieldset className="flex flex-col gap-1.5">
          <legend className="mb-1.5 text-sm font-medium text-zinc-800">Kind</legend>
          <div className="flex h-8 w-fit rounded-md border border-zinc-300 bg-white p-0.5 shadow-xs">
            {DATA_SOURCE_KINDS.map((k) => (
              <label
                key={k}
                className={cn(
                  "flex cursor-pointer items-center rounded px-3 text-sm transition-colors has-focus-visible:outline-2 has-focus-visible:outline-indigo-500",
                  form.kind === k
                    ? "bg-indigo-600 font-medium text-white"
                    : "text-zinc-600 hover:bg-zinc-100",
                )}
              >
                <input
                  type="radio"
                  name={`${kindName}-kind`}
                  value={k}
                  checked={form.kind === k}
                  onChange={() => set("kind", k)}
                  className="sr-only"
                />
                {KIND_LABELS[k]}
              </label>
            ))}
          </div>
        </fieldset>
      </div>
      {form.kind === "table" ? (
        <Field
          label="Table name"
          required
          error={error("tableName")}
          hint={`A table in this project's offline space, like ${project}.driver_stats (a name without a schema means ${project}.)`}
        >
          <Input
            value={form.tableName}
            onChange={(e) => set("tableName", e.target.value)}
            placeholder={`${project}.driver_stats`}
            className="font-mono text-[13px]"
            autoComplete="off"
            spellCheck={false}
          />
        </Field>
      ) : form.kind === "file" ? (
        <div className="grid grid-cols-1 gap-4 sm:grid-cols-[1fr_10rem]">
          <Field
            label="Path"
            required
            error={error("path")}
            hint={`A file in this project's file area (the server's QUIVER_FILES_DIR/${project}/), like events/clicks.parquet. A CSV has a header row; lists are JSON arrays and bytes base64.`}
          >
            <Input
              value={form.path}
              onChange={(e) => {
                set("path", e.target.value);
                const format = formatOf(e.target.value);
                if (format) set("fileFormat", format);
              }}
              placeholder="events/driver_stats.parquet"
              className="font-mono text-[13px]"
              autoComplete="off"
              spellCheck={false}
            />
          </Field>
          <Field label="Format" required error={error("fileFormat")}>
            <Select value={form.fileFormat} onChange={(e) => set("fileFormat", e.target.value)}>
              {FILE_FORMATS.map((f) => (
                <option key={f} value={f}>
                  {f === "csv" ? "CSV" : "Parquet"}
                </option>
              ))}
            </Select>
          </Field>
        </div>
      ) : (
        <Field
          label="Query"
          required
          error={error("query")}
          hint="One plain SELECT over this project's offline space whose columns include the timestamp, join keys and fields; it runs read-only, with a time limit"
        >
          <Textarea
            value={form.query}
            onChange={(e) => set("query", e.target.value)}
            placeholder={`select * from ${project}.driver_stats where active`}
            className="font-mono text-[13px]"
            spellCheck={false}
          />
        </Field>
      )}
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
        <Field
          label="Timestamp field"
          required
          error={error("timestampField")}
          hint="The event time of each row"
        >
          <Input
            value={form.timestampField}
            onChange={(e) => set("timestampField", e.target.value)}
            className="font-mono text-[13px]"
            autoComplete="off"
            spellCheck={false}
          />
        </Field>
        <Field
          label="Created timestamp field"
          error={error("createdTimestampField")}
          hint="Optional; breaks ties between rows with the same event time"
        >
          <Input
            value={form.createdTimestampField}
            onChange={(e) => set("createdTimestampField", e.target.value)}
            placeholder="created"
            className="font-mono text-[13px]"
            autoComplete="off"
            spellCheck={false}
          />
        </Field>
      </div>
    </Subform>
  );
}
