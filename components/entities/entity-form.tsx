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
import { JOIN_KEY_TYPES } from "@/server/registry/schemas";
import { useTRPC } from "@/trpc/client";
import { type FormErrors, sentence, withoutError } from "../forms/form-errors";
import { FormBanner, FormBar } from "../forms/form-shell";
import { formTitle, ObjectFormPage } from "../forms/object-form-page";
import { Subform } from "../forms/subform";
import { TagsEditor } from "../forms/tags-editor";
import { useFormState } from "../forms/use-form-state";
import {
  type EntityFormState,
  type EntityValue,
  emptyEntityForm,
  entityFormFrom,
  validateEntityForm,
} from "./entity-form-state";

const PATHS = /^(name|joinKey|valueType|description|owner|tags(\.\d+\.(key|value))?)$/;

interface EntityFieldsProps {
  values: EntityFormState;
  set: <K extends keyof EntityFormState>(key: K, value: EntityFormState[K]) => void;
  errorOf: (path: string) => string | undefined;
  idPrefix: string;
  /** Editing a stored entity: its name cannot change. */
  editing?: boolean;
  /** Inside another form: only what a new entity needs (no owner, no tags). */
  inline?: boolean;
  disabled?: boolean;
}

/** The inputs of an entity, shared by its page form and the inline form inside the view form. */
export function EntityFields({
  values,
  set,
  errorOf,
  idPrefix,
  editing,
  inline,
  disabled,
}: EntityFieldsProps) {
  return (
    <div className="flex flex-col gap-4">
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-3">
        <Field
          label="Name"
          required
          id={`${idPrefix}-name`}
          error={errorOf("name")}
          hint={
            editing
              ? "An entity's name cannot change."
              : inline
                ? undefined
                : "Lowercase letters, digits and _."
          }
        >
          <Input
            value={values.name}
            onChange={(e) => set("name", e.target.value)}
            disabled={disabled || editing}
            placeholder="driver"
            className="font-mono text-[13px]"
            autoComplete="off"
            spellCheck={false}
            autoFocus={inline}
          />
        </Field>
        <Field
          label="Join key"
          required
          id={`${idPrefix}-join-key`}
          error={errorOf("joinKey")}
          hint={inline ? undefined : "The column rows are looked up by."}
        >
          <Input
            value={values.joinKey}
            onChange={(e) => set("joinKey", e.target.value)}
            disabled={disabled}
            placeholder="driver_id"
            className="font-mono text-[13px]"
            autoComplete="off"
            spellCheck={false}
          />
        </Field>
        <Field label="Value type" required id={`${idPrefix}-value-type`} error={errorOf("valueType")}>
          <Select
            value={values.valueType}
            onChange={(e) => set("valueType", e.target.value as EntityFormState["valueType"])}
            disabled={disabled}
            className="font-mono"
          >
            {JOIN_KEY_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </Select>
        </Field>
      </div>
      {inline ? (
        <Field label="Description" id={`${idPrefix}-description`} error={errorOf("description")}>
          <Input
            value={values.description}
            onChange={(e) => set("description", e.target.value)}
            disabled={disabled}
          />
        </Field>
      ) : (
        <>
          <Field label="Description" id={`${idPrefix}-description`} error={errorOf("description")}>
            <Textarea
              value={values.description}
              onChange={(e) => set("description", e.target.value)}
              disabled={disabled}
              placeholder="What the entity is, and where its keys come from."
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
 * A new entity typed inside the feature view form. Nothing is saved here: `onAdd` hands the
 * checked definition to the view form, which creates it when the view is saved.
 */
export function InlineEntityForm({
  taken,
  initial,
  onAdd,
  onCancel,
}: {
  /** Names already used (the project's entities and the form's other drafts). */
  taken: readonly string[];
  /** A draft being changed again. */
  initial?: EntityValue;
  onAdd: (entity: EntityValue) => void;
  onCancel: () => void;
}) {
  const id = useId();
  const [values, setValues] = useState<EntityFormState>(() =>
    initial ? entityFormFrom(initial) : emptyEntityForm(),
  );
  const [errors, setErrors] = useState<FormErrors>({});
  function submit() {
    const result = validateEntityForm(values, taken);
    if (!result.ok) return setErrors(result.errors);
    onAdd(result.value);
  }
  return (
    <Subform
      title={initial ? `Change new entity ${initial.name}` : "New entity"}
      description="Kept with this feature view and created when you save it; cancelling the view leaves nothing behind."
      submitLabel={initial ? "Update entity" : "Add entity"}
      pending={false}
      onSubmit={submit}
      onCancel={onCancel}
    >
      <EntityFields
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

/** The entity page form: registers an entity, or with `editName` changes one. */
export function EntityForm({ project, editName }: { project: string; editName?: string }) {
  const trpc = useTRPC();
  const refusal = useRefusal(
    project,
    "definitions.write",
    editName ? "change entities" : "register entities",
  );
  const entity = useQuery({
    ...trpc.entities.get.queryOptions({ project, name: editName ?? "" }),
    enabled: !!editName && refusal === null,
  });
  const entities = useQuery({ ...trpc.entities.list.queryOptions({ project }), enabled: refusal === null });
  const back = editName
    ? { href: href.entity(project, editName), label: editName }
    : { href: href.entities(project), label: "Entities" };
  return (
    <ObjectFormPage
      title={formTitle(editName, "New entity")}
      description="An entity is what features describe (a driver, a customer): feature views are keyed by its join key."
      back={back}
      refusal={refusal}
      load={{
        error: entity.error ?? entities.error,
        pending: (!!editName && !entity.data) || !entities.data,
        what: "Entity",
      }}
    >
      <EntityFormBody
        key={entity.data ? String(entity.data.updatedAt) : "new"}
        project={project}
        initial={entity.data ? entityFormFrom(entity.data) : emptyEntityForm()}
        editing={!!editName}
        taken={editName ? [] : (entities.data ?? []).map((e) => e.name)}
        cancelHref={back.href}
      />
    </ObjectFormPage>
  );
}

function EntityFormBody({
  project,
  initial,
  editing,
  taken,
  cancelHref,
}: {
  project: string;
  initial: EntityFormState;
  editing: boolean;
  taken: string[];
  cancelHref: string;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const id = useId();
  const create = useMutation(trpc.entities.create.mutationOptions());
  const update = useMutation(trpc.entities.update.mutationOptions());
  const mutation = editing ? update : create;
  const form = useFormState(initial, PATHS);
  const busy = mutation.isPending || mutation.isSuccess;

  function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    form.reset();
    const result = validateEntityForm(form.state, taken);
    if (!result.ok) return form.showErrors(result.errors);
    mutation.mutate(
      { project, ...result.value },
      {
        onSuccess: async (saved) => {
          await Promise.all([
            queryClient.invalidateQueries(trpc.entities.pathFilter()),
            queryClient.invalidateQueries(trpc.lineage.pathFilter()),
          ]);
          router.push(href.entity(project, saved.name));
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
      aria-label={editing ? "Edit entity" : "New entity"}
      className="flex max-w-4xl flex-col gap-6"
    >
      <Card title="Entity">
        <EntityFields
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
        submitLabel={editing ? "Save entity" : "Create entity"}
        busy={busy}
      />
    </form>
  );
}
