"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Plus, X } from "lucide-react";
import { useRouter } from "next/navigation";
import { type FormEvent, useId } from "react";
import { useRefusal } from "@/components/auth/use-refusal";
import { href } from "@/components/catalog/links";
import { TypeBadge } from "@/components/catalog/type-badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
import { useTRPC } from "@/trpc/client";
import type { RouterOutputs } from "@/trpc/types";
import { FormBanner, FormBar } from "../forms/form-shell";
import { InlineError } from "../forms/inline-error";
import { formTitle, ObjectFormPage } from "../forms/object-form-page";
import { TagsEditor } from "../forms/tags-editor";
import { useFormState } from "../forms/use-form-state";
import {
  emptyServiceForm,
  newServiceViewRow,
  rowPathOfRef,
  type ServiceFormState,
  type ServiceViewRow,
  serviceFormFrom,
  validateServiceForm,
} from "./service-form-state";

type View = RouterOutputs["featureViews"]["list"][number];

const PATHS = /^(name|description|owner|views|views\.\d+\.(view|features)|tags(\.\d+\.(key|value))?)$/;

/** The feature service page form: registers a service, or with `editName` changes one. */
export function ServiceForm({ project, editName }: { project: string; editName?: string }) {
  const trpc = useTRPC();
  const refusal = useRefusal(
    project,
    "definitions.write",
    editName ? "change feature services" : "register feature services",
  );
  const service = useQuery({
    ...trpc.featureServices.get.queryOptions({ project, name: editName ?? "" }),
    enabled: !!editName && refusal === null,
  });
  const services = useQuery({
    ...trpc.featureServices.list.queryOptions({ project }),
    enabled: refusal === null,
  });
  const views = useQuery({ ...trpc.featureViews.list.queryOptions({ project }), enabled: refusal === null });
  const back = editName
    ? { href: href.service(project, editName), label: editName }
    : { href: href.services(project), label: "Services" };
  return (
    <ObjectFormPage
      title={formTitle(editName, "New feature service")}
      description="A feature service names the features a model reads together, from one or more feature views; the retrieval API serves it by name."
      back={back}
      refusal={refusal}
      load={{
        error: service.error ?? services.error ?? views.error,
        pending: (!!editName && !service.data) || !services.data || !views.data,
        what: "Feature service",
      }}
    >
      <ServiceFormBody
        key={service.data ? String(service.data.updatedAt) : "new"}
        project={project}
        views={views.data ?? []}
        initial={service.data ? serviceFormFrom(service.data) : emptyServiceForm()}
        editing={!!editName}
        taken={editName ? [] : (services.data ?? []).map((s) => s.name)}
        cancelHref={back.href}
      />
    </ObjectFormPage>
  );
}

function ServiceFormBody({
  project,
  views,
  initial,
  editing,
  taken,
  cancelHref,
}: {
  project: string;
  views: View[];
  initial: ServiceFormState;
  editing: boolean;
  taken: string[];
  cancelHref: string;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const id = useId();
  const create = useMutation(trpc.featureServices.create.mutationOptions());
  const update = useMutation(trpc.featureServices.update.mutationOptions());
  const mutation = editing ? update : create;
  const form = useFormState(initial, PATHS);
  const busy = mutation.isPending || mutation.isSuccess;
  const { state } = form;

  function setRow(i: number, patch: Partial<ServiceViewRow>) {
    form.set(
      "views",
      state.views.map((r, j) => (j === i ? { ...r, ...patch } : r)),
      // A row's change may answer the list's error too ("Add at least one feature view").
      "views",
    );
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    form.reset();
    const result = validateServiceForm(state, taken);
    if (!result.ok) return form.showErrors(result.errors);
    mutation.mutate(
      { project, ...result.value },
      {
        onSuccess: async (saved) => {
          await Promise.all([
            queryClient.invalidateQueries(trpc.featureServices.pathFilter()),
            queryClient.invalidateQueries(trpc.lineage.pathFilter()),
          ]);
          router.push(href.service(project, saved.name));
        },
        // The server names a reference ("features.3"); it lands under the row that made it.
        onError: (error) => form.onServerError(error, (p) => rowPathOfRef(state.views, p)),
      },
    );
  }

  const chosen = new Set(state.views.map((r) => r.view));
  return (
    <form
      ref={form.formRef}
      noValidate
      onSubmit={submit}
      aria-busy={busy}
      aria-label={editing ? "Edit feature service" : "New feature service"}
      className="flex max-w-4xl flex-col gap-6"
    >
      <Card title="Basics">
        <div className="flex flex-col gap-4">
          <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
            <Field
              label="Name"
              required
              id={`${id}-name`}
              error={form.errorOf("name")}
              hint={editing ? "A service's name cannot change." : "Models ask for the features by this name."}
            >
              <Input
                value={state.name}
                onChange={(e) => form.set("name", e.target.value)}
                disabled={busy || editing}
                placeholder="driver_activity"
                className="font-mono text-[13px]"
                autoComplete="off"
                spellCheck={false}
              />
            </Field>
            <Field
              label="Owner"
              id={`${id}-owner`}
              error={form.errorOf("owner")}
              hint="A team or a person to ask."
            >
              <Input
                value={state.owner}
                onChange={(e) => form.set("owner", e.target.value)}
                disabled={busy}
                autoComplete="off"
              />
            </Field>
          </div>
          <Field label="Description" id={`${id}-description`} error={form.errorOf("description")}>
            <Textarea
              value={state.description}
              onChange={(e) => form.set("description", e.target.value)}
              disabled={busy}
              placeholder="Which model reads these features, and for what."
            />
          </Field>
          <TagsEditor
            rows={state.tags}
            onChange={(rows) => form.set("tags", rows)}
            errorOf={form.errorOf}
            idPrefix={id}
            disabled={busy}
          />
        </div>
      </Card>

      <Card
        title="Features"
        description='Per feature view: all its features (served as "view:*", which follows the view as it changes), or the ones you pick.'
      >
        <div className="flex flex-col gap-4">
          {views.length === 0 && (
            <p className="text-sm text-zinc-500">
              This project has no feature views yet; register one first.
            </p>
          )}
          {state.views.map((row, i) => {
            const view = views.find((v) => v.name === row.view);
            const viewError = form.errorOf(`views.${i}.view`);
            const featuresError = form.errorOf(`views.${i}.features`);
            return (
              <fieldset
                key={row.id}
                aria-label={`Feature view ${i + 1}`}
                className={cn(
                  "flex flex-col gap-3 rounded-md border p-3",
                  viewError || featuresError ? "border-red-300" : "border-zinc-200",
                )}
              >
                <div className="flex flex-wrap items-center gap-3">
                  <Select
                    aria-label={`Feature view ${i + 1}`}
                    aria-invalid={viewError ? true : undefined}
                    value={row.view}
                    disabled={busy}
                    onChange={(e) => setRow(i, { view: e.target.value, features: [] })}
                    className="w-72 font-mono text-[13px]"
                  >
                    <option value="">Choose a feature view…</option>
                    {views
                      .filter((v) => v.name === row.view || !chosen.has(v.name))
                      .map((v) => (
                        <option key={v.id} value={v.name}>
                          {v.name}
                        </option>
                      ))}
                    {row.view && !view && <option value={row.view}>{row.view}</option>}
                  </Select>
                  {row.view && (
                    <label className="flex items-center gap-2 text-sm text-zinc-700">
                      <input
                        type="checkbox"
                        checked={row.all}
                        disabled={busy}
                        onChange={(e) => setRow(i, { all: e.target.checked, features: [] })}
                        className="size-4 rounded border-zinc-300 accent-indigo-600"
                      />
                      All features
                    </label>
                  )}
                  <Button
                    variant="ghost"
                    size="sm"
                    className="ml-auto"
                    aria-label={`Remove feature view ${i + 1}`}
                    disabled={busy}
                    onClick={() =>
                      form.set(
                        "views",
                        state.views.filter((_, j) => j !== i),
                        "views",
                      )
                    }
                  >
                    <X className="size-4" aria-hidden />
                  </Button>
                </div>
                <InlineError message={viewError} />
                {view && !row.all && (
                  <ul
                    className="grid grid-cols-1 gap-1.5 sm:grid-cols-2 lg:grid-cols-3"
                    aria-label={`Features of ${view.name}`}
                  >
                    {view.spec.fields.map((f) => (
                      <li key={f.name}>
                        <label className="flex items-center gap-2 text-sm">
                          <input
                            type="checkbox"
                            checked={row.features.includes(f.name)}
                            disabled={busy}
                            onChange={(e) =>
                              setRow(i, {
                                features: e.target.checked
                                  ? [...row.features, f.name]
                                  : row.features.filter((n) => n !== f.name),
                              })
                            }
                            className="size-4 rounded border-zinc-300 accent-indigo-600"
                          />
                          <span className="font-mono text-[13px] text-zinc-900">{f.name}</span>
                          <TypeBadge dtype={f.dtype} />
                        </label>
                      </li>
                    ))}
                  </ul>
                )}
                <InlineError message={featuresError} />
              </fieldset>
            );
          })}
          <InlineError message={form.errorOf("views")} />
          <div>
            <Button
              size="sm"
              disabled={busy || state.views.length >= views.length}
              onClick={() => form.set("views", [...state.views, newServiceViewRow()], "views")}
            >
              <Plus className="size-3.5" aria-hidden />
              Add feature view
            </Button>
          </div>
        </div>
      </Card>
      <FormBanner message={form.banner} />
      <FormBar
        errorCount={form.errorCount}
        cancelHref={cancelHref}
        submitLabel={editing ? "Save feature service" : "Create feature service"}
        busy={busy}
      />
    </form>
  );
}
