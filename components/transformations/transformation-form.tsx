"use client";

import { useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { CircleAlert, Play, RefreshCw } from "lucide-react";
import { useRouter } from "next/navigation";
import { type FormEvent, useId, useMemo, useState } from "react";
import type { z } from "zod";
import { useRefusal } from "@/components/auth/use-refusal";
import { href } from "@/components/catalog/links";
import { PreviewTable } from "@/components/objects/preview-table";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Spinner } from "@/components/ui/skeleton";
import { Textarea } from "@/components/ui/textarea";
import type { TransformationPreview } from "@/server/transformations/schemas";
import { useTRPC, useTRPCClient } from "@/trpc/client";
import { sentence, serverError } from "../forms/form-errors";
import { FormBanner, FormBar } from "../forms/form-shell";
import { formTitle, ObjectFormPage } from "../forms/object-form-page";
import { SqlEditor } from "../forms/sql-editor";
import { TagsEditor } from "../forms/tags-editor";
import { useFormState } from "../forms/use-form-state";
import {
  completionSchema,
  emptyTransformationForm,
  errorOffset,
  eventTimeChoices,
  lineColumnOf,
  TRANSFORMATION_FORM_PATHS,
  type TransformationFormState,
  transformationFormFrom,
  validateTransformationForm,
} from "./transformation-form-state";

/** Columns fetched for the editor's completion; a project with more sources completes names only past it. */
const COMPLETION_SOURCES = 60;

type Preview = z.infer<typeof TransformationPreview> & { ms: number };
type Column = { name: string; columnType: string };

/** The transformation form: registers a batch SQL transformation, or with `editName` saves its next version. */
export function TransformationForm({ project, editName }: { project: string; editName?: string }) {
  const trpc = useTRPC();
  const refusal = useRefusal(
    project,
    "definitions.write",
    editName ? "change transformations" : "register transformations",
  );
  const edited = useQuery({
    ...trpc.transformations.get.queryOptions({ project, name: editName ?? "" }),
    enabled: !!editName && refusal === null,
  });
  const sources = useQuery({ ...trpc.sources.list.queryOptions({ project }), enabled: refusal === null });
  const back = editName
    ? { href: href.transformation(project, editName), label: editName }
    : { href: href.transformations(project), label: "Transformations" };
  const t = edited.data;
  return (
    <ObjectFormPage
      title={formTitle(editName, "New transformation")}
      description={
        editName
          ? "Saving creates the next version; the current one stays readable in the version history. Changed columns make the next run a full refresh."
          : "One SELECT over this project's sources, run in the offline sandbox; its rows fill an output source that feature views read like any other."
      }
      back={back}
      meta={
        t && (
          <Badge tone="indigo" mono title="The version this edit is based on">
            from v{t.currentVersion}
          </Badge>
        )
      }
      refusal={refusal}
      load={{
        error: edited.error ?? sources.error,
        pending: (!!editName && !t) || !sources.data,
        what: "Transformation",
      }}
    >
      <TransformationFormBody
        // A reload after a conflict brings a newer version: start over from it.
        key={t ? `edit-${t.currentVersion}` : "new"}
        project={project}
        initial={t ? transformationFormFrom(t) : emptyTransformationForm()}
        initialColumns={t?.columns ?? []}
        sourceNames={(sources.data ?? []).map((s) => s.name).filter((n) => n !== t?.outputSource)}
        taken={editName ? [] : (sources.data ?? []).map((s) => s.name)}
        edit={t ? { baseVersion: t.currentVersion, reload: () => edited.refetch() } : undefined}
        cancelHref={back.href}
      />
    </ObjectFormPage>
  );
}

interface SqlProblem {
  message: string;
  /** A 0-based offset into the editor's text, when the server named a position. */
  at: number | null;
  round: number;
}

function TransformationFormBody({
  project,
  initial,
  initialColumns,
  sourceNames,
  taken,
  edit,
  cancelHref,
}: {
  project: string;
  initial: TransformationFormState;
  initialColumns: readonly Column[];
  sourceNames: string[];
  taken: string[];
  edit?: { baseVersion: number; reload: () => void };
  cancelHref: string;
}) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const router = useRouter();
  const queryClient = useQueryClient();
  const id = useId();
  const form = useFormState(initial, TRANSFORMATION_FORM_PATHS, "spec.");
  const [conflict, setConflict] = useState<string | null>(null);
  const [problem, setProblem] = useState<SqlProblem | null>(null);
  const create = useMutation(trpc.transformations.create.mutationOptions());
  const update = useMutation(trpc.transformations.update.mutationOptions());
  const mutation = edit ? update : create;
  const busy = mutation.isPending || mutation.isSuccess;

  const columnQueries = useQueries({
    queries: sourceNames.slice(0, COMPLETION_SOURCES).map((name) => ({
      ...trpc.sources.columns.queryOptions({ project, name }),
      retry: false,
      staleTime: 5 * 60_000,
    })),
  });
  const columnsKey = columnQueries.map((q) => q.dataUpdatedAt).join(",");
  // biome-ignore lint/correctness/useExhaustiveDependencies: columnsKey says when any column list arrived.
  const schema = useMemo(
    () =>
      completionSchema(sourceNames.map((name, i) => ({ name, columns: columnQueries[i]?.data?.columns }))),
    [sourceNames.join(","), columnsKey],
  );

  function showProblem(message: string, sql: string) {
    setProblem((p) => ({ message, at: errorOffset(message, sql), round: (p?.round ?? 0) + 1 }));
  }

  const preview = useMutation({
    mutationFn: async (sql: string): Promise<Preview> => {
      const started = performance.now();
      const result = await client.transformations.preview.query({ project, sql: sql.trim() });
      return { ...result, ms: Math.round(performance.now() - started) };
    },
    onMutate: () => setProblem(null),
    onSuccess: (result) => {
      // One time column and none chosen yet: it is the event time.
      const choices = eventTimeChoices(result.columns);
      if (choices.length === 1 && choices[0] && form.state.eventTimestampColumn.trim() === "")
        form.set("eventTimestampColumn", choices[0]);
    },
    onError: (error, sql) => showProblem(serverError(error).message, sql),
  });

  function runPreview() {
    const sql = form.state.sql;
    if (sql.trim() === "") {
      form.showErrors({ ...form.errors, sql: "Enter the SELECT to preview" });
      return;
    }
    preview.mutate(sql);
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    form.reset();
    setConflict(null);
    const result = validateTransformationForm(form.state, taken);
    if (!result.ok) return form.showErrors(result.errors);
    const sql = form.state.sql;
    const onError = (error: unknown) => {
      const { field, message, code } = serverError(error, "spec.");
      if (code === "CONFLICT" && field === "version") return setConflict(message);
      if (field === "sql") showProblem(message, sql);
      form.onServerError(error);
    };
    const onSuccess = async (saved: { name: string }) => {
      await Promise.all([
        queryClient.invalidateQueries(trpc.transformations.pathFilter()),
        queryClient.invalidateQueries(trpc.sources.pathFilter()),
        queryClient.invalidateQueries(trpc.lineage.pathFilter()),
        queryClient.invalidateQueries(trpc.search.pathFilter()),
      ]);
      router.push(href.transformation(project, saved.name));
    };
    if (edit)
      update.mutate({ project, spec: result.value, version: edit.baseVersion }, { onSuccess, onError });
    else create.mutate({ project, spec: result.value }, { onSuccess, onError });
  }

  const columns: readonly Column[] = preview.data?.columns ?? initialColumns;
  const choices = eventTimeChoices(columns);
  const eventTime = form.state.eventTimestampColumn;
  const sqlLabelId = `${id}-sql-label`;
  const sqlMessageId = `${id}-sql-message`;
  const sqlError = form.errorOf("sql");
  const where = problem?.at != null ? lineColumnOf(form.state.sql, problem.at) : null;

  return (
    <form
      ref={form.formRef}
      noValidate
      onSubmit={submit}
      aria-busy={busy}
      aria-label={edit ? "Edit transformation" : "New transformation"}
      className="flex max-w-5xl flex-col gap-6"
    >
      <Card title="Transformation">
        <div className="flex flex-col gap-4">
          <Field
            label="Name"
            required
            id={`${id}-name`}
            error={form.errorOf("name")}
            hint={
              edit
                ? "A transformation's name cannot change."
                : "Also the name of its output source, which feature views read."
            }
            className="sm:w-1/2"
          >
            <Input
              value={form.state.name}
              onChange={(e) => form.set("name", e.target.value)}
              disabled={busy || !!edit}
              placeholder="driver_trips_7d"
              className="font-mono text-[13px]"
              autoComplete="off"
              spellCheck={false}
            />
          </Field>

          <div className="flex flex-col gap-1.5">
            <div className="flex flex-wrap items-end justify-between gap-2">
              <span id={sqlLabelId} className="text-sm font-medium text-zinc-800">
                SQL
                <span className="ml-0.5 text-red-600" aria-hidden>
                  *
                </span>
              </span>
              <Button
                size="sm"
                onClick={runPreview}
                disabled={preview.isPending}
                aria-keyshortcuts="Control+Enter Meta+Enter"
                title="Run the SQL in the editor (Ctrl+Enter or ⌘+Enter)"
              >
                {preview.isPending ? (
                  <Spinner className="size-3.5" label="Running the preview" />
                ) : (
                  <Play className="size-3.5" aria-hidden />
                )}
                Preview
              </Button>
            </div>
            <SqlEditor
              id={`${id}-sql`}
              labelId={sqlLabelId}
              describedBy={sqlMessageId}
              value={form.state.sql}
              onChange={(value) => form.set("sql", value)}
              invalid={!!sqlError}
              disabled={busy}
              placeholder={`select driver_id, event_timestamp, count(*) over w as trips_7d\nfrom trips\nwindow w as (partition by driver_id order by event_timestamp range interval '7 days' preceding)`}
              schema={schema}
              onRun={runPreview}
              errorAt={problem?.at ?? null}
              errorRound={problem?.round}
            />
            <p id={sqlMessageId} className={sqlError ? "text-xs text-red-600" : "text-xs text-zinc-500"}>
              {sqlError ??
                "One SELECT over this project's sources by name (window functions allowed). It runs read-only in the project's sandbox with a time limit. Ctrl+Enter previews it."}
              {sqlError && where && ` (line ${where.line}, column ${where.column})`}
            </p>
          </div>

          <PreviewPanel
            state={preview.isPending ? "running" : preview.data ? "done" : "idle"}
            result={preview.data}
            problem={preview.isError ? problem : null}
            where={preview.isError ? where : null}
          />

          <Field
            label="Event-time column"
            required
            id={`${id}-ts`}
            error={form.errorOf("eventTimestampColumn")}
            hint={
              choices.length > 0
                ? "The output column holding each row's event time (the SQL's date and timestamp columns)."
                : "The output column holding each row's event time: a date, timestamp or timestamptz. Run the preview to choose from the SQL's columns."
            }
            className="sm:w-1/2"
          >
            {choices.length > 0 ? (
              <Select
                value={eventTime}
                onChange={(e) => form.set("eventTimestampColumn", e.target.value)}
                disabled={busy}
                className="font-mono text-[13px]"
              >
                <option value="">Choose a column…</option>
                {[...choices, ...(eventTime && !choices.includes(eventTime) ? [eventTime] : [])].map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </Select>
            ) : (
              <Input
                value={eventTime}
                onChange={(e) => form.set("eventTimestampColumn", e.target.value)}
                disabled={busy}
                placeholder="event_timestamp"
                className="font-mono text-[13px]"
                autoComplete="off"
                spellCheck={false}
              />
            )}
          </Field>
        </div>
      </Card>

      <Card title="About">
        <div className="flex flex-col gap-4">
          <Field label="Description" id={`${id}-description`} error={form.errorOf("description")}>
            <Textarea
              value={form.state.description}
              onChange={(e) => form.set("description", e.target.value)}
              disabled={busy}
              placeholder="What the rows are and what reads them."
            />
          </Field>
          <Field
            label="Owner"
            id={`${id}-owner`}
            error={form.errorOf("owner")}
            hint="A team or a person to ask."
            className="sm:w-1/2"
          >
            <Input
              value={form.state.owner}
              onChange={(e) => form.set("owner", e.target.value)}
              disabled={busy}
              autoComplete="off"
            />
          </Field>
          <TagsEditor
            rows={form.state.tags}
            onChange={(rows) => form.set("tags", rows)}
            errorOf={form.errorOf}
            idPrefix={id}
            disabled={busy}
          />
        </div>
      </Card>

      {conflict && edit && (
        <div
          role="alert"
          data-testid="version-conflict"
          className="flex flex-wrap items-start gap-3 rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900"
        >
          <CircleAlert className="mt-0.5 size-4 shrink-0 text-amber-600" aria-hidden />
          <div className="min-w-0 flex-1">
            <p className="font-medium">Someone saved this transformation while you were editing it.</p>
            <p className="mt-0.5 break-words">{sentence(conflict)}</p>
          </div>
          <Button size="sm" onClick={edit.reload} title="Your unsaved changes here are discarded">
            <RefreshCw className="size-3.5" aria-hidden />
            Load the current version
          </Button>
        </div>
      )}
      <FormBanner message={form.banner} />
      <FormBar
        errorCount={form.errorCount}
        cancelHref={cancelHref}
        submitLabel={edit ? "Save new version" : "Create transformation"}
        busy={busy}
      />
    </form>
  );
}

/** The preview's rows, inferred columns and time, or why it failed (with where, when the server said). */
function PreviewPanel({
  state,
  result,
  problem,
  where,
}: {
  state: "idle" | "running" | "done";
  result: Preview | undefined;
  problem: SqlProblem | null;
  where: { line: number; column: number } | null;
}) {
  if (problem)
    return (
      <div
        role="alert"
        data-testid="preview-error"
        className="flex items-start gap-3 rounded-lg border border-red-200 bg-red-50/60 px-4 py-3 text-sm text-red-800"
      >
        <CircleAlert className="mt-0.5 size-4 shrink-0 text-red-500" aria-hidden />
        <div className="min-w-0">
          <p className="font-medium">
            The preview failed{where ? ` at line ${where.line}, column ${where.column}` : ""}
          </p>
          <p className="mt-0.5 break-words font-mono text-xs">{sentence(problem.message)}</p>
        </div>
      </div>
    );
  if (state === "idle" || !result)
    return (
      <p className="rounded-lg border border-dashed border-zinc-300 px-4 py-3 text-sm text-zinc-500">
        {state === "running"
          ? "Running the SQL in the sandbox…"
          : "Preview runs the SQL in the editor (saved or not) and shows its first 100 rows and the columns it infers."}
      </p>
    );
  const rows = result.rows.length;
  return (
    <section
      aria-label="Preview"
      data-testid="preview"
      className="flex flex-col gap-2"
      aria-busy={state === "running"}
    >
      <p className="text-sm text-zinc-600" role="status">
        <span className="font-medium text-zinc-900">
          {rows === 1 ? "1 row" : `${rows} rows`}
          {rows >= 100 ? " (the first 100)" : ""}
        </span>
        {" · "}
        {result.columns.length === 1 ? "1 column" : `${result.columns.length} columns`}
        {" · "}
        <span data-testid="preview-time">took {formatMs(result.ms)}</span>
      </p>
      <ul aria-label="Inferred columns" className="flex flex-wrap gap-1.5">
        {result.columns.map((c, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a SELECT may repeat a column name.
          <li key={i} className="rounded border border-zinc-200 bg-zinc-50 px-1.5 py-0.5 font-mono text-xs">
            <span className="text-zinc-900">{c.name}</span>{" "}
            <span className="text-zinc-500">{c.columnType}</span>
          </li>
        ))}
      </ul>
      {rows === 0 ? (
        <p className="text-sm text-zinc-500">The SQL returns no rows yet.</p>
      ) : (
        <PreviewTable
          label="Preview rows"
          columns={result.columns.map((c) => ({ name: c.name, type: c.columnType }))}
          rows={result.rows}
        />
      )}
    </section>
  );
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
