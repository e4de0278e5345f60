"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useId, useState } from "react";
import { useRefusal } from "@/components/auth/use-refusal";
import { href } from "@/components/catalog/links";
import { Card } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
import { DATA_SOURCE_KINDS, type DataSourceKind, FILE_FORMATS } from "@/server/core/vocabulary";
import { useTRPC } from "@/trpc/client";
import { type FormErrors, sentence, withoutError } from "../forms/form-errors";
import { FormBanner, FormBar } from "../forms/form-shell";
import { formTitle, ObjectFormPage } from "../forms/object-form-page";
import { Subform } from "../forms/subform";
import { TagsEditor } from "../forms/tags-editor";
import { useFormState } from "../forms/use-form-state";
import { SegmentedChoice } from "../ui/segmented-choice";
import {
  emptySourceForm,
  formatOf,
  type SourceFormState,
  type SourceValue,
  sourceFormFrom,
  validateSourceForm,
} from "./source-form-state";

const PATHS =
  /^(name|kind|tableName|query|path|fileFormat|timestampField|createdTimestampField|fieldMapping|description|owner|tags(\.\d+\.(key|value))?)$/;

const KIND_LABELS: Record<DataSourceKind, string> = { table: "Table", query: "SQL query", file: "File" };

interface SourceFieldsProps {
  project: string;
  values: SourceFormState;
  set: <K extends keyof SourceFormState>(key: K, value: SourceFormState[K]) => void;
  errorOf: (path: string) => string | undefined;
  idPrefix: string;
  editing?: boolean;
  inline?: boolean;
  disabled?: boolean;
}

/**
 * The inputs of a data source (a table or a SQL query of the offline store, or a Parquet or CSV
 * file of the project's file area), shared by its page form and the inline form in the view form.
 */
export function SourceFields({
  project,
  values,
  set,
  errorOf,
  idPrefix,
  editing,
  inline,
  disabled,
}: SourceFieldsProps) {
  return (
    <div className="flex flex-col gap-4">
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
        <Field
          label="Name"
          required
          id={`${idPrefix}-name`}
          error={errorOf("name")}
          hint={editing ? "A source's name cannot change." : undefined}
        >
          <Input
            value={values.name}
            onChange={(e) => set("name", e.target.value)}
            disabled={disabled || editing}
            placeholder="driver_stats_source"
            className="font-mono text-[13px]"
            autoComplete="off"
            spellCheck={false}
            autoFocus={inline}
          />
        </Field>
        <SegmentedChoice
          legend="Kind"
          name={`${idPrefix}-kind`}
          options={DATA_SOURCE_KINDS}
          value={values.kind}
          onChange={(k) => set("kind", k)}
          labelOf={(k) => KIND_LABELS[k]}
          disabled={disabled}
        />
      </div>
      {values.kind === "table" ? (
        <Field
          label="Table name"
          required
          id={`${idPrefix}-table`}
          error={errorOf("tableName")}
          hint={`A table in this project's offline space, like ${project}.driver_stats (a name without a schema means ${project}.)`}
        >
          <Input
            value={values.tableName}
            onChange={(e) => set("tableName", e.target.value)}
            disabled={disabled}
            placeholder={`${project}.driver_stats`}
            className="font-mono text-[13px]"
            autoComplete="off"
            spellCheck={false}
          />
        </Field>
      ) : values.kind === "file" ? (
        <div className="grid grid-cols-1 gap-4 sm:grid-cols-[1fr_10rem]">
          <Field
            label="Path"
            required
            id={`${idPrefix}-path`}
            error={errorOf("path")}
            hint={`A file in this project's file area (the server's QUIVER_FILES_DIR/${project}/), like events/clicks.parquet. A CSV has a header row; lists are JSON arrays and bytes base64.`}
          >
            <Input
              value={values.path}
              onChange={(e) => {
                set("path", e.target.value);
                const format = formatOf(e.target.value);
                if (format) set("fileFormat", format);
              }}
              disabled={disabled}
              placeholder="events/driver_stats.parquet"
              className="font-mono text-[13px]"
              autoComplete="off"
              spellCheck={false}
            />
          </Field>
          <Field label="Format" required id={`${idPrefix}-format`} error={errorOf("fileFormat")}>
            <Select
              value={values.fileFormat}
              disabled={disabled}
              onChange={(e) => set("fileFormat", e.target.value as SourceFormState["fileFormat"])}
            >
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
          id={`${idPrefix}-query`}
          error={errorOf("query")}
          hint="One plain SELECT over this project's offline space whose columns include the timestamp, join keys and fields; it runs read-only, with a time limit"
        >
          <Textarea
            value={values.query}
            onChange={(e) => set("query", e.target.value)}
            disabled={disabled}
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
          id={`${idPrefix}-ts`}
          error={errorOf("timestampField")}
          hint="The event time of each row"
        >
          <Input
            value={values.timestampField}
            onChange={(e) => set("timestampField", e.target.value)}
            disabled={disabled}
            className="font-mono text-[13px]"
            autoComplete="off"
            spellCheck={false}
          />
        </Field>
        <Field
          label="Created timestamp field"
          id={`${idPrefix}-created`}
          error={errorOf("createdTimestampField")}
          hint="Optional; breaks ties between rows with the same event time"
        >
          <Input
            value={values.createdTimestampField}
            onChange={(e) => set("createdTimestampField", e.target.value)}
            disabled={disabled}
            placeholder="created"
            className="font-mono text-[13px]"
            autoComplete="off"
            spellCheck={false}
          />
        </Field>
      </div>
      {!inline && (
        <>
          <Field label="Description" id={`${idPrefix}-description`} error={errorOf("description")}>
            <Textarea
              value={values.description}
              onChange={(e) => set("description", e.target.value)}
              disabled={disabled}
              placeholder="What the rows are and who writes them."
            />
          </Field>
          <Field
            label="Owner"
            id={`${idPrefix}-owner`}
            error={errorOf("owner")}
            hint="A team or a person to ask."
            className="sm:w-1/2"
          >
            <Input
              value={values.owner}
              onChange={(e) => set("owner", e.target.value)}
              disabled={disabled}
              autoComplete="off"
            />
          </Field>
          <TagsEditor
            rows={values.tags}
            onChange={(rows) => set("tags", rows)}
            errorOf={errorOf}
            idPrefix={idPrefix}
            disabled={disabled}
          />
        </>
      )}
    </div>
  );
}

/**
 * A new source typed inside the feature view form. Nothing is saved here: `onAdd` hands the
 * checked definition to the view form, which creates it when the view is saved.
 */
export function InlineSourceForm({
  project,
  taken,
  initial,
  onAdd,
  onCancel,
}: {
  project: string;
  taken: readonly string[];
  initial?: SourceValue;
  onAdd: (source: SourceValue) => void;
  onCancel: () => void;
}) {
  const id = useId();
  const [values, setValues] = useState<SourceFormState>(() =>
    initial
      ? sourceFormFrom({
          ...initial,
          tableName: initial.tableName ?? null,
          query: initial.query ?? null,
          path: initial.path ?? null,
          fileFormat: initial.fileFormat ?? null,
          createdTimestampField: initial.createdTimestampField ?? null,
        })
      : emptySourceForm(),
  );
  const [errors, setErrors] = useState<FormErrors>({});
  function submit() {
    const result = validateSourceForm(values, taken);
    if (!result.ok) return setErrors(result.errors);
    onAdd(result.value);
  }
  return (
    <Subform
      title={initial ? `Change new source ${initial.name}` : "New source"}
      description="Kept with this feature view and created when you save it (the server checks the table, query or file then); cancelling the view leaves nothing behind."
      submitLabel={initial ? "Update source" : "Add source"}
      pending={false}
      onSubmit={submit}
      onCancel={onCancel}
    >
      <SourceFields
        project={project}
        values={values}
        set={(key, value) => {
          setValues((v) => ({ ...v, [key]: value }));
          setErrors((e) => withoutError(e, key));
        }}
        errorOf={(p) => (errors[p] ? sentence(errors[p]) : undefined)}
        idPrefix={id}
        inline
      />
    </Subform>
  );
}

/** The source page form: registers a data source, or with `editName` changes one. */
export function SourceForm({ project, editName }: { project: string; editName?: string }) {
  const trpc = useTRPC();
  const refusal = useRefusal(project, "definitions.write", editName ? "change sources" : "register sources");
  const source = useQuery({
    ...trpc.sources.get.queryOptions({ project, name: editName ?? "" }),
    enabled: !!editName && refusal === null,
  });
  const sources = useQuery({ ...trpc.sources.list.queryOptions({ project }), enabled: refusal === null });
  const back = editName
    ? { href: href.source(project, editName), label: editName }
    : { href: href.sources(project), label: "Sources" };
  return (
    <ObjectFormPage
      title={formTitle(editName, "New source")}
      description="Where feature values come from: a table or a SQL query of the offline store, or a Parquet or CSV file, with an event-time column."
      back={back}
      refusal={refusal}
      load={{
        error: source.error ?? sources.error,
        pending: (!!editName && !source.data) || !sources.data,
        what: "Source",
      }}
    >
      <SourceFormBody
        key={source.data ? String(source.data.updatedAt) : "new"}
        project={project}
        initial={source.data ? sourceFormFrom(source.data) : emptySourceForm()}
        editing={!!editName}
        taken={editName ? [] : (sources.data ?? []).map((s) => s.name)}
        cancelHref={back.href}
      />
    </ObjectFormPage>
  );
}

function SourceFormBody({
  project,
  initial,
  editing,
  taken,
  cancelHref,
}: {
  project: string;
  initial: SourceFormState;
  editing: boolean;
  taken: string[];
  cancelHref: string;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const id = useId();
  const create = useMutation(trpc.sources.create.mutationOptions());
  const update = useMutation(trpc.sources.update.mutationOptions());
  const mutation = editing ? update : create;
  const form = useFormState(initial, PATHS);
  const busy = mutation.isPending || mutation.isSuccess;

  function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    form.reset();
    const result = validateSourceForm(form.state, taken);
    if (!result.ok) return form.showErrors(result.errors);
    mutation.mutate(
      { project, ...result.value },
      {
        onSuccess: async (saved) => {
          await Promise.all([
            queryClient.invalidateQueries(trpc.sources.pathFilter()),
            queryClient.invalidateQueries(trpc.featureViews.pathFilter()),
            queryClient.invalidateQueries(trpc.lineage.pathFilter()),
          ]);
          router.push(href.source(project, saved.name));
        },
        onError: (error) => form.onServerError(error),
      },
    );
  }

  return (
    <form
      ref={form.formRef}
      noValidate
      onSubmit={submit}
      aria-busy={busy}
      aria-label={editing ? "Edit source" : "New source"}
      className="flex max-w-4xl flex-col gap-6"
    >
      <Card title="Source">
        <SourceFields
          project={project}
          values={form.state}
          set={(key, value) => form.set(key, value)}
          errorOf={form.errorOf}
          idPrefix={id}
          editing={editing}
          disabled={busy}
        />
      </Card>
      <FormBanner message={form.banner} />
      <FormBar
        errorCount={form.errorCount}
        cancelHref={cancelHref}
        submitLabel={editing ? "Save source" : "Create source"}
        busy={busy}
      />
    </form>
  );
}
