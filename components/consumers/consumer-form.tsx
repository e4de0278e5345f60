"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useId } from "react";
import { useRefusal } from "@/components/auth/use-refusal";
import { href } from "@/components/catalog/links";
import { Card } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Textarea } from "@/components/ui/textarea";
import { CONSUMER_KINDS } from "@/server/core/vocabulary";
import { useTRPC } from "@/trpc/client";
import type { RouterOutputs } from "@/trpc/types";
import { FormBanner, FormBar } from "../forms/form-shell";
import { InlineError } from "../forms/inline-error";
import { formTitle, ObjectFormPage } from "../forms/object-form-page";
import { TagsEditor } from "../forms/tags-editor";
import { useFormState } from "../forms/use-form-state";
import { SegmentedChoice } from "../ui/segmented-choice";
import {
  type ConsumerFormState,
  consumerFormFrom,
  emptyConsumerForm,
  validateConsumerForm,
} from "./consumer-form-state";

type Service = RouterOutputs["featureServices"]["list"][number];

const PATHS = /^(name|kind|description|owner|featureServices(\.\d+)?|tags(\.\d+\.(key|value))?)$/;

const KIND_HINTS = {
  model: "A model that reads features to predict.",
  service: "An application or service.",
};

/** The consumer page form: registers a model or service reading feature services, or changes one. */
export function ConsumerForm({ project, editName }: { project: string; editName?: string }) {
  const trpc = useTRPC();
  const refusal = useRefusal(
    project,
    "definitions.write",
    editName ? "change consumers" : "register consumers",
  );
  const consumer = useQuery({
    ...trpc.consumers.get.queryOptions({ project, name: editName ?? "" }),
    enabled: !!editName && refusal === null,
  });
  const consumers = useQuery({ ...trpc.consumers.list.queryOptions({ project }), enabled: refusal === null });
  const services = useQuery({
    ...trpc.featureServices.list.queryOptions({ project }),
    enabled: refusal === null,
  });
  const back = editName
    ? { href: href.consumer(project, editName), label: editName }
    : { href: href.services(project), label: "Services" };
  return (
    <ObjectFormPage
      title={formTitle(editName, "New consumer")}
      description="A consumer is a model or a service that reads feature services; registering it shows who depends on what before a change."
      back={back}
      refusal={refusal}
      load={{
        error: consumer.error ?? consumers.error ?? services.error,
        pending: (!!editName && !consumer.data) || !consumers.data || !services.data,
        what: "Consumer",
      }}
    >
      <ConsumerFormBody
        key={consumer.data ? String(consumer.data.updatedAt) : "new"}
        project={project}
        services={services.data ?? []}
        initial={consumer.data ? consumerFormFrom(consumer.data) : emptyConsumerForm()}
        editing={!!editName}
        taken={editName ? [] : (consumers.data ?? []).map((c) => c.name)}
        cancelHref={back.href}
      />
    </ObjectFormPage>
  );
}

function ConsumerFormBody({
  project,
  services,
  initial,
  editing,
  taken,
  cancelHref,
}: {
  project: string;
  services: Service[];
  initial: ConsumerFormState;
  editing: boolean;
  taken: string[];
  cancelHref: string;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const id = useId();
  const create = useMutation(trpc.consumers.create.mutationOptions());
  const update = useMutation(trpc.consumers.update.mutationOptions());
  const mutation = editing ? update : create;
  const form = useFormState(initial, PATHS);
  const busy = mutation.isPending || mutation.isSuccess;
  const { state } = form;

  function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    form.reset();
    const result = validateConsumerForm(state, taken);
    if (!result.ok) return form.showErrors(result.errors);
    mutation.mutate(
      { project, ...result.value },
      {
        onSuccess: async (saved) => {
          await Promise.all([
            queryClient.invalidateQueries(trpc.consumers.pathFilter()),
            queryClient.invalidateQueries(trpc.lineage.pathFilter()),
          ]);
          router.push(href.consumer(project, saved.name));
        },
        onError: (error) => form.onServerError(error),
      },
    );
  }

  const servicesError =
    form.errorOf("featureServices") ??
    state.featureServices.map((_, i) => form.errorOf(`featureServices.${i}`)).find(Boolean);
  return (
    <form
      ref={form.formRef}
      noValidate
      onSubmit={submit}
      aria-busy={busy}
      aria-label={editing ? "Edit consumer" : "New consumer"}
      className="flex max-w-4xl flex-col gap-6"
    >
      <Card title="Consumer">
        <div className="flex flex-col gap-4">
          <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
            <Field
              label="Name"
              required
              id={`${id}-name`}
              error={form.errorOf("name")}
              hint={editing ? "A consumer's name cannot change." : undefined}
            >
              <Input
                value={state.name}
                onChange={(e) => form.set("name", e.target.value)}
                disabled={busy || editing}
                placeholder="eta_model"
                className="font-mono text-[13px]"
                autoComplete="off"
                spellCheck={false}
              />
            </Field>
            <SegmentedChoice
              legend="Kind"
              name={`${id}-kind`}
              options={CONSUMER_KINDS}
              value={state.kind}
              onChange={(k) => form.set("kind", k)}
              optionClassName="capitalize"
              disabled={busy}
            >
              <p className="text-xs text-zinc-500">{KIND_HINTS[state.kind]}</p>
            </SegmentedChoice>
          </div>
          <Field label="Description" id={`${id}-description`} error={form.errorOf("description")}>
            <Textarea
              value={state.description}
              onChange={(e) => form.set("description", e.target.value)}
              disabled={busy}
              placeholder="What it predicts or does with the features."
            />
          </Field>
          <Field
            label="Owner"
            id={`${id}-owner`}
            error={form.errorOf("owner")}
            hint="A team or a person to ask before changing what it reads."
            className="sm:w-1/2"
          >
            <Input
              value={state.owner}
              onChange={(e) => form.set("owner", e.target.value)}
              disabled={busy}
              autoComplete="off"
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
      <Card title="Feature services" description="The feature services it reads.">
        {services.length === 0 ? (
          <p className="text-sm text-zinc-500">This project has no feature services yet.</p>
        ) : (
          <ul className="grid grid-cols-1 gap-2 sm:grid-cols-2" aria-label="Feature services">
            {services.map((s) => (
              <li key={s.id}>
                <label className="flex items-start gap-2 text-sm">
                  <input
                    type="checkbox"
                    checked={state.featureServices.includes(s.name)}
                    disabled={busy}
                    onChange={(e) =>
                      form.set(
                        "featureServices",
                        e.target.checked
                          ? [...state.featureServices, s.name]
                          : state.featureServices.filter((n) => n !== s.name),
                      )
                    }
                    className="mt-0.5 size-4 rounded border-zinc-300 accent-indigo-600"
                  />
                  <span className="min-w-0">
                    <span className="font-mono text-[13px] text-zinc-900">{s.name}</span>
                    {s.description && (
                      <span className="block truncate text-xs text-zinc-500">{s.description}</span>
                    )}
                  </span>
                </label>
              </li>
            ))}
          </ul>
        )}
        <InlineError message={servicesError} />
      </Card>
      <FormBanner message={form.banner} />
      <FormBar
        errorCount={form.errorCount}
        cancelHref={cancelHref}
        submitLabel={editing ? "Save consumer" : "Create consumer"}
        busy={busy}
      />
    </form>
  );
}
