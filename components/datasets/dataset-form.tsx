"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ArrowLeft, CircleAlert, Eye, Lock, RefreshCw } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { useProjectRole } from "@/components/auth/use-project-role";
import { type FormErrors, sentence, serverError, withoutError } from "@/components/forms/form-errors";
import { Button, ButtonLink } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState } from "@/components/ui/error-state";
import { Field } from "@/components/ui/field";
import { formatCount, plural } from "@/components/ui/format";
import { Input } from "@/components/ui/input";
import { PageBody, PageHeader } from "@/components/ui/page-header";
import { Skeleton, Spinner } from "@/components/ui/skeleton";
import { Textarea } from "@/components/ui/textarea";
import type { DatasetStorage } from "@/server/core/vocabulary";
import type { DatasetRows } from "@/server/datasets/schemas";
import { useTRPC } from "@/trpc/client";
import type { RouterOutputs } from "@/trpc/types";
import {
  checkCreate,
  checkDraft,
  type DatasetFormState,
  type DraftInput,
  emptyDatasetForm,
  formErrorKey,
} from "./dataset-form-state";
import { EntitySourceInput } from "./entity-source-input";
import { FeatureSelection } from "./feature-selection";
import { datasetHref } from "./links";
import { NullRates } from "./null-rates";
import { RowsTable } from "./rows-table";
import { Segmented } from "./segmented";

type View = RouterOutputs["featureViews"]["list"][number];
type Service = RouterOutputs["featureServices"]["list"][number];

/** The dataset builder: loads the project's views and services, then the form. */
export function DatasetForm({ project }: { project: string }) {
  const trpc = useTRPC();
  const { role, can } = useProjectRole(project);
  const views = useQuery(trpc.featureViews.list.queryOptions({ project }));
  const services = useQuery(trpc.featureServices.list.queryOptions({ project }));

  const header = (
    <PageHeader
      eyebrow={
        <Link href={datasetHref.list(project)} className="inline-flex items-center gap-1 hover:text-zinc-900">
          <ArrowLeft className="size-3.5" aria-hidden />
          Datasets
        </Link>
      }
      title="New dataset"
      description="Choose the features and the entity rows, preview the first rows, then save: a job builds the whole dataset."
    />
  );

  if (role !== undefined && !can("definitions.write"))
    return (
      <PageBody>
        {header}
        <EmptyState
          icon={Lock}
          title="Building datasets needs the editor role"
          description="Ask an owner of this project for the editor role. You can still browse the saved datasets."
          action={<ButtonLink href={datasetHref.list(project)}>All datasets</ButtonLink>}
        />
      </PageBody>
    );
  const failed = views.error ?? services.error;
  if (failed)
    return (
      <PageBody>
        {header}
        <ErrorState
          error={failed}
          title="Could not load the form"
          retry={() => {
            void views.refetch();
            void services.refetch();
          }}
        />
      </PageBody>
    );
  if (!views.data || !services.data || role === undefined)
    return (
      <PageBody>
        {header}
        <div className="flex max-w-5xl flex-col gap-6" role="status" aria-label="Loading">
          <Skeleton className="h-56 w-full rounded-lg" />
          <Skeleton className="h-48 w-full rounded-lg" />
          <Skeleton className="h-32 w-full rounded-lg" />
        </div>
      </PageBody>
    );
  return (
    <PageBody>
      {header}
      <DatasetFormBody project={project} views={views.data} services={services.data} />
    </PageBody>
  );
}

type PreviewState =
  | { status: "idle" }
  | { status: "pending"; key: string }
  | { status: "done"; key: string; data: DatasetRows }
  | { status: "failed"; key: string };

const STORAGE_HINT: Record<DatasetStorage, string> = {
  table: "A table in the project's offline space: query it with SQL next to your sources.",
  parquet: "A Parquet file in the project's file area: compact, for training jobs that read files.",
};

function DatasetFormBody({
  project,
  views,
  services,
}: {
  project: string;
  views: View[];
  services: Service[];
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const create = useMutation(trpc.datasets.create.mutationOptions());
  const id = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const topRef = useRef<HTMLDivElement>(null);

  const [state, setState] = useState<DatasetFormState>(() => ({
    ...emptyDatasetForm(),
    // The demo-like case first: a project's only service is the likely choice.
    featureService: services.length === 1 ? (services[0]?.name ?? "") : "",
    mode: services.length === 0 ? "features" : "service",
  }));
  const [errors, setErrors] = useState<FormErrors>({});
  const [banner, setBanner] = useState<string | null>(null);
  const [preview, setPreview] = useState<PreviewState>({ status: "idle" });
  const [errorRound, setErrorRound] = useState(0);

  // After a failed check, the first invalid input gets focus; a banner scrolls into view.
  useEffect(() => {
    if (errorRound === 0) return;
    const first = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
    if (first) {
      first.focus({ preventScroll: true });
      first.scrollIntoView({ block: "center", behavior: "smooth" });
    }
  }, [errorRound]);
  useEffect(() => {
    if (banner) topRef.current?.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }, [banner]);

  const busy = create.isPending || create.isSuccess;
  const errorOf = (key: string) => (errors[key] ? sentence(errors[key]) : undefined);

  function change(patch: Partial<DatasetFormState>, changed: string) {
    setState((s) => ({ ...s, ...patch }));
    setErrors((e) => {
      const hit = Object.keys(e).filter(
        (k) => k === changed || k.startsWith(`${changed}.`) || changed.startsWith(`${k}.`),
      );
      return hit.reduce(withoutError, e);
    });
  }

  function showErrors(next: FormErrors) {
    setErrors(next);
    setErrorRound((n) => n + 1);
  }

  /** A server refusal under the input it names, else in the banner at the top. */
  function onFailure(error: unknown) {
    const { field, message, issues } = serverError(error);
    const key = field ? formErrorKey(field) : null;
    if (key) return showErrors({ [key]: message });
    if (issues) {
      const mapped: FormErrors = {};
      for (const [path, text] of Object.entries(issues)) {
        const k = formErrorKey(path);
        if (!k) return setBanner(`${path}: ${text}`);
        mapped[k] ??= text;
      }
      return showErrors(mapped);
    }
    setBanner(message);
  }

  const draftKey = (d: DraftInput) => JSON.stringify(d);
  const current = checkDraft(state);
  const previewStale =
    (preview.status === "done" || preview.status === "failed") &&
    (!current.ok || draftKey(current.value) !== preview.key);

  async function runPreview() {
    setBanner(null);
    const draft = checkDraft(state);
    if (!draft.ok) return showErrors(draft.errors);
    setErrors({});
    const key = draftKey(draft.value);
    setPreview({ status: "pending", key });
    try {
      const data = await queryClient.fetchQuery({
        ...trpc.datasets.previewDraft.queryOptions({ project, ...draft.value }),
        staleTime: 0,
        retry: false,
      });
      setPreview((p) => (p.status === "pending" && p.key === key ? { status: "done", key, data } : p));
    } catch (e) {
      setPreview((p) => (p.status === "pending" && p.key === key ? { status: "failed", key } : p));
      onFailure(e);
    }
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setBanner(null);
    const checked = checkCreate(state);
    if (!checked.ok) return showErrors(checked.errors);
    setErrors({});
    create.mutate(
      { project, ...checked.value },
      {
        onSuccess: async (d) => {
          await queryClient.invalidateQueries(trpc.datasets.list.pathFilter());
          router.push(datasetHref.detail(project, d.name));
        },
        onError: onFailure,
      },
    );
  }

  const errorCount = Object.keys(errors).length;
  return (
    <form
      ref={formRef}
      noValidate
      onSubmit={submit}
      aria-label="New dataset"
      aria-busy={busy}
      // Long names in hints break anywhere rather than widen a narrow screen.
      className="flex max-w-5xl min-w-0 flex-col gap-6 wrap-anywhere"
    >
      <div ref={topRef} className="empty:hidden">
        {banner && (
          <div
            role="alert"
            data-testid="form-banner"
            className="flex items-start gap-3 rounded-lg border border-red-200 bg-red-50/60 px-4 py-3 text-sm text-red-800"
          >
            <CircleAlert className="mt-0.5 size-4 shrink-0 text-red-500" aria-hidden />
            <p className="min-w-0 break-words">{sentence(banner)}</p>
          </div>
        )}
      </div>

      <Card title="Features" description="The columns the dataset holds, besides the entity columns.">
        <FeatureSelection
          state={state}
          onChange={change}
          views={views}
          services={services}
          errorOf={errorOf}
          disabled={busy}
        />
      </Card>

      <Card
        title="Entity rows"
        description="One row per training example: the join keys and the event_timestamp the features are read as of."
      >
        <EntitySourceInput
          project={project}
          state={state}
          onChange={change}
          views={views}
          errorOf={errorOf}
          disabled={busy}
        />
      </Card>

      <Card
        title="Preview"
        description="The point-in-time join over the first 100 entity rows. Nothing is saved."
      >
        <div className="flex flex-col gap-4">
          <div>
            <Button
              onClick={runPreview}
              disabled={busy || preview.status === "pending"}
              data-testid="preview-button"
            >
              {preview.status === "pending" ? (
                <Spinner className="size-3.5" label="Previewing" />
              ) : previewStale ? (
                <RefreshCw className="size-3.5 max-sm:hidden" aria-hidden />
              ) : (
                <Eye className="size-3.5 max-sm:hidden" aria-hidden />
              )}
              {previewStale ? "Preview again" : "Preview"}
            </Button>
          </div>
          <PreviewBody preview={preview} stale={previewStale} />
        </div>
      </Card>

      <Card title="Save">
        <div className="flex flex-col gap-5">
          <Field
            label="Name"
            required
            id={`${id}-name`}
            error={errorOf("name")}
            hint="Lowercase letters, digits and _, starting with a letter."
          >
            <Input
              value={state.name}
              onChange={(e) => change({ name: e.target.value }, "name")}
              disabled={busy}
              placeholder="eta_training_2026_11"
              className="max-w-md font-mono text-[13px]"
              autoComplete="off"
              spellCheck={false}
            />
          </Field>
          <Field label="Description" id={`${id}-description`} error={errorOf("description")}>
            <Textarea
              value={state.description}
              onChange={(e) => change({ description: e.target.value }, "description")}
              disabled={busy}
              placeholder="What the rows are for: the model, the period, how the entity rows were chosen."
            />
          </Field>
          <div className="flex flex-col gap-1">
            <Segmented<DatasetStorage>
              label="Keep the rows as"
              value={state.storage}
              onChange={(storage) => change({ storage }, "storage")}
              options={[
                { value: "table", label: "Table" },
                { value: "parquet", label: "Parquet file" },
              ]}
              disabled={busy}
            />
            <p className={errorOf("storage") ? "text-xs text-red-600" : "text-xs text-zinc-500"}>
              {errorOf("storage") ?? STORAGE_HINT[state.storage]}
            </p>
          </div>
        </div>
      </Card>

      <div className="sticky bottom-0 -mx-1 flex flex-wrap items-center justify-end gap-3 border-t border-zinc-200 bg-white/95 px-1 py-3 backdrop-blur">
        {errorCount > 0 && (
          <p className="mr-auto text-sm text-red-600" role="status">
            {errorCount === 1 ? "1 field needs attention" : `${errorCount} fields need attention`}
          </p>
        )}
        <ButtonLink href={datasetHref.list(project)} variant="ghost">
          Cancel
        </ButtonLink>
        <Button type="submit" variant="primary" disabled={busy} data-testid="save-dataset">
          {busy && <Spinner className="size-3.5 text-white" label="Saving" />}
          Save and build
        </Button>
      </div>
    </form>
  );
}

function PreviewBody({ preview, stale }: { preview: PreviewState; stale: boolean }) {
  if (preview.status === "idle")
    return (
      <p className="text-sm text-zinc-500">
        Check the rows before building the whole set: choose the features and the entity rows, then press
        Preview.
      </p>
    );
  if (preview.status === "pending")
    return (
      <div className="flex flex-col gap-2" role="status" aria-label="Loading the preview">
        <Skeleton className="h-4 w-1/3" />
        <Skeleton className="h-40 w-full" />
      </div>
    );
  if (preview.status === "failed")
    return (
      <p className="text-sm text-zinc-500">
        No preview: see the error {stale ? "above" : "next to the input it names"}, change the inputs and try
        again.
      </p>
    );
  const { data } = preview;
  return (
    <div
      className={stale ? "flex flex-col gap-4 opacity-60" : "flex flex-col gap-4"}
      data-testid="draft-preview"
    >
      <p className="text-sm text-zinc-600" role="status">
        {stale && <span className="font-medium text-amber-700">Out of date: the inputs changed. </span>}
        {data.rows.length === 0
          ? "The entity source gives no rows."
          : `The first ${plural(data.rows.length, "row")}${data.rowCount === null ? "" : ` of ${formatCount(data.rowCount)} entity rows`}.`}
      </p>
      {data.rows.length > 0 && <RowsTable data={data} label="Preview rows" />}
      {Object.keys(data.nullRates).length > 0 && (
        <div className="max-w-xl">
          <h3 className="mb-2 text-xs font-medium text-zinc-500">Null rates in these rows</h3>
          <NullRates rates={data.nullRates} />
        </div>
      )}
    </div>
  );
}
