"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Plus, Trash2 } from "lucide-react";
import { useRouter } from "next/navigation";
import { type FormEvent, useId, useRef, useState } from "react";
import { useRefusal } from "@/components/auth/use-refusal";
import { href } from "@/components/catalog/links";
import { TypeBadge } from "@/components/catalog/type-badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
import { VALUE_TYPES, type ValueType } from "@/server/core/vocabulary";
import { useTRPC } from "@/trpc/client";
import { FormBanner, FormBar } from "../forms/form-shell";
import { InlineError } from "../forms/inline-error";
import { formTitle, ObjectFormPage } from "../forms/object-form-page";
import { TagsEditor } from "../forms/tags-editor";
import { useFormState } from "../forms/use-form-state";
import {
  type AvailableInput,
  emptyOnDemandForm,
  insertAt,
  newOutputFieldRow,
  newRequestFieldRow,
  type OnDemandFormState,
  onDemandFormFrom,
  validateOnDemandForm,
} from "./on-demand-form-state";

const PATHS =
  /^(name|description|owner|requestFields(\.\d+\.(name|dtype))?|fields(\.\d+\.(name|dtype|expression|description))?|tags(\.\d+\.(key|value))?)$/;

/** The on-demand view form: registers a view, or with `editName` writes its next version. */
export function OnDemandForm({ project, editName }: { project: string; editName?: string }) {
  const trpc = useTRPC();
  const refusal = useRefusal(
    project,
    "definitions.write",
    editName ? "change on-demand views" : "register on-demand views",
  );
  const enabled = refusal === null;
  const view = useQuery({
    ...trpc.onDemandViews.get.queryOptions({ project, name: editName ?? "" }),
    enabled: !!editName && enabled,
  });
  const views = useQuery({ ...trpc.featureViews.list.queryOptions({ project }), enabled });
  const odvs = useQuery({
    ...trpc.onDemandViews.list.queryOptions({ project }),
    enabled: enabled && !editName,
  });
  const back = editName
    ? { href: href.onDemandView(project, editName), label: editName }
    : { href: href.onDemandViews(project), label: "On-demand views" };
  const available: AvailableInput[] = (views.data ?? []).flatMap((v) =>
    v.spec.fields.map((f) => ({ view: v.name, feature: f.name, dtype: f.dtype })),
  );
  return (
    <ObjectFormPage
      title={formTitle(editName, "New on-demand view")}
      description="Features computed at request time by CEL expressions over feature views' features and the request's fields. Expressions are type-checked when you save."
      back={back}
      refusal={refusal}
      load={{
        error: view.error ?? views.error ?? odvs.error,
        pending: (!!editName && !view.data) || !views.data || (!editName && !odvs.data),
        what: "On-demand view",
      }}
    >
      {(!editName || view.data) && views.data && (
        <OnDemandFormBody
          key={view.data ? `v${view.data.currentVersion}` : "new"}
          project={project}
          initial={view.data ? onDemandFormFrom(view.data.spec) : emptyOnDemandForm()}
          baseVersion={view.data?.currentVersion}
          available={available}
          taken={editName ? [] : [...(odvs.data ?? []), ...views.data].map((v) => v.name)}
          cancelHref={back.href}
        />
      )}
    </ObjectFormPage>
  );
}

function OnDemandFormBody({
  project,
  initial,
  baseVersion,
  available,
  taken,
  cancelHref,
}: {
  project: string;
  initial: OnDemandFormState;
  /** The version an edit is based on; undefined when creating. */
  baseVersion: number | undefined;
  available: AvailableInput[];
  taken: string[];
  cancelHref: string;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const id = useId();
  const editing = baseVersion !== undefined;
  const create = useMutation(trpc.onDemandViews.create.mutationOptions());
  const update = useMutation(trpc.onDemandViews.update.mutationOptions());
  const mutation = editing ? update : create;
  const form = useFormState(initial, PATHS, "spec.");
  const busy = mutation.isPending || mutation.isSuccess;
  const s = form.state;
  // The expression a click in the inputs list writes into: the last one focused.
  const [target, setTarget] = useState(0);
  const expressions = useRef(new Map<string, HTMLTextAreaElement>());

  const setField = (i: number, patch: Partial<OnDemandFormState["fields"][number]>, key: string) =>
    form.set(
      "fields",
      s.fields.map((f, j) => (j === i ? { ...f, ...patch } : f)),
      `fields.${i}.${key}`,
    );
  const setRequest = (i: number, patch: Partial<OnDemandFormState["requestFields"][number]>, key: string) =>
    form.set(
      "requestFields",
      s.requestFields.map((f, j) => (j === i ? { ...f, ...patch } : f)),
      `requestFields.${i}.${key}`,
    );

  function insert(text: string) {
    const i = Math.min(target, s.fields.length - 1);
    const row = s.fields[i];
    if (!row) return;
    const el = expressions.current.get(row.id);
    const start = el?.selectionStart ?? row.expression.length;
    const end = el?.selectionEnd ?? row.expression.length;
    const next = insertAt(row.expression, start, end, text);
    setField(i, { expression: next.value }, "expression");
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(next.caret, next.caret);
    });
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    form.reset();
    const result = validateOnDemandForm(s, available, taken);
    if (!result.ok) return form.showErrors(result.errors);
    const onSuccess = async (saved: { name: string }) => {
      await queryClient.invalidateQueries(trpc.onDemandViews.pathFilter());
      router.push(href.onDemandView(project, saved.name));
    };
    const onError = (error: unknown) => form.onServerError(error);
    if (editing) update.mutate({ project, baseVersion, spec: result.value }, { onSuccess, onError });
    else create.mutate({ project, spec: result.value }, { onSuccess, onError });
  }

  return (
    <form
      ref={form.formRef}
      noValidate
      onSubmit={submit}
      aria-busy={busy}
      aria-label={editing ? "Edit on-demand view" : "New on-demand view"}
      className="flex flex-col gap-6"
    >
      <div className="grid grid-cols-1 gap-6 xl:grid-cols-[minmax(0,1fr)_20rem]">
        <div className="flex min-w-0 flex-col gap-6">
          <Card title="On-demand view">
            <div className="flex flex-col gap-4">
              <Field
                label="Name"
                required
                id={`${id}-name`}
                error={form.errorOf("name")}
                hint={
                  editing
                    ? "An on-demand view's name cannot change."
                    : "Requests name its features as name:feature, like feature views'."
                }
                className="sm:w-1/2"
              >
                <Input
                  value={s.name}
                  onChange={(e) => form.set("name", e.target.value)}
                  disabled={busy || editing}
                  placeholder="driver_scores"
                  className="font-mono text-[13px]"
                  autoComplete="off"
                  spellCheck={false}
                />
              </Field>
              <Field label="Description" id={`${id}-description`} error={form.errorOf("description")}>
                <Textarea
                  value={s.description}
                  onChange={(e) => form.set("description", e.target.value)}
                  disabled={busy}
                  placeholder="What the features mean and who calls for them."
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
                  value={s.owner}
                  onChange={(e) => form.set("owner", e.target.value)}
                  disabled={busy}
                  autoComplete="off"
                />
              </Field>
              <TagsEditor
                rows={s.tags}
                onChange={(rows) => form.set("tags", rows)}
                errorOf={form.errorOf}
                idPrefix={id}
                disabled={busy}
              />
            </div>
          </Card>

          <Card
            title="Request fields"
            description="Values the caller sends with each entity row (request_context online, entity columns for training sets); expressions read them as request.name."
          >
            <div className="flex flex-col gap-2" data-testid="request-field-rows">
              {s.requestFields.length === 0 && (
                <p className="text-xs text-zinc-500">
                  None yet: add one to let callers send values such as a boost.
                </p>
              )}
              {s.requestFields.map((f, i) => {
                const nameError = form.errorOf(`requestFields.${i}.name`);
                const typeError = form.errorOf(`requestFields.${i}.dtype`);
                return (
                  <div key={f.id} className="flex flex-col gap-1">
                    <div className="flex items-start gap-2">
                      <Input
                        aria-label={`Request field ${i + 1} name`}
                        aria-invalid={nameError ? true : undefined}
                        value={f.name}
                        placeholder="boost"
                        disabled={busy}
                        onChange={(e) => setRequest(i, { name: e.target.value }, "name")}
                        className="min-w-0 flex-1 font-mono text-[13px]"
                        autoComplete="off"
                        spellCheck={false}
                      />
                      <Select
                        aria-label={`Request field ${i + 1} type`}
                        aria-invalid={typeError ? true : undefined}
                        value={f.dtype}
                        disabled={busy}
                        onChange={(e) => setRequest(i, { dtype: e.target.value as ValueType }, "dtype")}
                        className="w-44 font-mono text-[13px]"
                      >
                        <TypeOptions />
                      </Select>
                      <Button
                        variant="ghost"
                        size="sm"
                        className="mt-0.5"
                        aria-label={`Remove request field ${i + 1}`}
                        disabled={busy}
                        onClick={() =>
                          form.set(
                            "requestFields",
                            s.requestFields.filter((_, j) => j !== i),
                          )
                        }
                      >
                        <Trash2 className="size-4" aria-hidden />
                      </Button>
                    </div>
                    <InlineError message={nameError ?? typeError} />
                  </div>
                );
              })}
              <InlineError message={form.errorOf("requestFields")} />
              <div>
                <Button
                  size="sm"
                  disabled={busy}
                  onClick={() => form.set("requestFields", [...s.requestFields, newRequestFieldRow()])}
                >
                  <Plus className="size-3.5" aria-hidden />
                  Add request field
                </Button>
              </div>
            </div>
          </Card>

          <Card
            title="Features"
            description="Each feature is one CEL expression whose type must be the feature's: int64 wants int (int(x) converts), float64 wants double (2.0, not 2)."
          >
            <div className="flex flex-col gap-4">
              {s.fields.map((f, i) => {
                const err = (k: string) => form.errorOf(`fields.${i}.${k}`);
                const exprId = `${id}-fields-${i}-expression`;
                return (
                  <fieldset
                    key={f.id}
                    className="flex flex-col gap-2 rounded-lg border border-zinc-200 p-3"
                    data-testid={`feature-row-${i}`}
                  >
                    <legend className="sr-only">Feature {i + 1}</legend>
                    <div className="flex flex-wrap items-start gap-2">
                      <div className="flex min-w-40 flex-1 flex-col gap-1">
                        <Input
                          aria-label={`Feature ${i + 1} name`}
                          aria-invalid={err("name") ? true : undefined}
                          value={f.name}
                          placeholder="boosted_conv_rate"
                          disabled={busy}
                          onChange={(e) => setField(i, { name: e.target.value }, "name")}
                          className="font-mono text-[13px]"
                          autoComplete="off"
                          spellCheck={false}
                        />
                        <InlineError message={err("name")} />
                      </div>
                      <div className="flex w-44 flex-col gap-1">
                        <Select
                          aria-label={`Feature ${i + 1} type`}
                          aria-invalid={err("dtype") ? true : undefined}
                          value={f.dtype}
                          disabled={busy}
                          onChange={(e) => setField(i, { dtype: e.target.value as ValueType }, "dtype")}
                          className="font-mono text-[13px]"
                        >
                          <TypeOptions />
                        </Select>
                        <InlineError message={err("dtype")} />
                      </div>
                      <Button
                        variant="ghost"
                        size="sm"
                        className="mt-0.5"
                        aria-label={`Remove feature ${i + 1}`}
                        disabled={busy || s.fields.length === 1}
                        onClick={() => {
                          form.set(
                            "fields",
                            s.fields.filter((_, j) => j !== i),
                          );
                          setTarget(0);
                        }}
                      >
                        <Trash2 className="size-4" aria-hidden />
                      </Button>
                    </div>
                    <div className="flex flex-col gap-1">
                      <label htmlFor={exprId} className="text-xs font-medium text-zinc-700">
                        Expression<span className="sr-only"> of feature {i + 1}</span>
                      </label>
                      <Textarea
                        id={exprId}
                        ref={(el) => {
                          if (el) expressions.current.set(f.id, el);
                          else expressions.current.delete(f.id);
                        }}
                        aria-invalid={err("expression") ? true : undefined}
                        aria-describedby={err("expression") ? `${exprId}-error` : undefined}
                        rows={3}
                        value={f.expression}
                        placeholder="driver_hourly_stats.conv_rate * request.boost"
                        disabled={busy}
                        onFocus={() => setTarget(i)}
                        onChange={(e) => setField(i, { expression: e.target.value }, "expression")}
                        className="font-mono text-[13px] leading-relaxed"
                        spellCheck={false}
                        data-testid={`expression-input-${i}`}
                      />
                      <InlineError message={err("expression")} id={`${exprId}-error`} />
                    </div>
                    <Input
                      aria-label={`Feature ${i + 1} description`}
                      aria-invalid={err("description") ? true : undefined}
                      value={f.description}
                      placeholder="What the value means, its unit"
                      disabled={busy}
                      onChange={(e) => setField(i, { description: e.target.value }, "description")}
                    />
                    <InlineError message={err("description")} />
                  </fieldset>
                );
              })}
              <InlineError message={form.errorOf("fields")} />
              <div>
                <Button
                  size="sm"
                  disabled={busy}
                  onClick={() => {
                    form.set("fields", [...s.fields, newOutputFieldRow()]);
                    setTarget(s.fields.length);
                  }}
                >
                  <Plus className="size-3.5" aria-hidden />
                  Add feature
                </Button>
              </div>
            </div>
          </Card>
        </div>
        <AvailableInputs
          available={available}
          requestFields={s.requestFields.map((f) => f.name.trim()).filter((n) => n !== "")}
          requestTypes={Object.fromEntries(s.requestFields.map((f) => [f.name.trim(), f.dtype]))}
          target={Math.min(target, s.fields.length - 1) + 1}
          onInsert={insert}
          disabled={busy}
        />
      </div>
      <FormBanner message={form.banner} />
      <FormBar
        errorCount={form.errorCount}
        cancelHref={cancelHref}
        submitLabel={editing ? "Save new version" : "Create on-demand view"}
        busy={busy}
      />
    </form>
  );
}

/** What an expression may read, as buttons that write `view.feature` where the caret is. */
function AvailableInputs({
  available,
  requestFields,
  requestTypes,
  target,
  onInsert,
  disabled,
}: {
  available: AvailableInput[];
  requestFields: string[];
  requestTypes: Record<string, string>;
  /** The feature (1-based) a click writes into. */
  target: number;
  onInsert: (text: string) => void;
  disabled: boolean;
}) {
  const byView = new Map<string, AvailableInput[]>();
  for (const a of available) byView.set(a.view, [...(byView.get(a.view) ?? []), a]);
  const item = (text: string, dtype: string | undefined) => (
    <li key={text}>
      <button
        type="button"
        disabled={disabled}
        onClick={() => onInsert(text)}
        className="flex w-full min-w-0 items-center gap-2 rounded px-1.5 py-1 text-left hover:bg-indigo-50 disabled:opacity-50"
        title={`Insert ${text} into feature ${target}'s expression`}
      >
        <span className="min-w-0 flex-1 truncate font-mono text-xs text-zinc-800">{text}</span>
        {dtype && <TypeBadge dtype={dtype} />}
      </button>
    </li>
  );
  return (
    <aside className="xl:sticky xl:top-4 xl:self-start" aria-label="Available inputs">
      <Card
        title="Available inputs"
        description={`Click one to insert it into feature ${target}'s expression.`}
        padded={false}
      >
        <div className="flex max-h-[32rem] flex-col gap-3 overflow-y-auto p-3" data-testid="available-inputs">
          <div>
            <h3 className="mb-1 px-1.5 text-xs font-medium text-zinc-500">Request</h3>
            {requestFields.length === 0 ? (
              <p className="px-1.5 text-xs text-zinc-500">No request fields yet.</p>
            ) : (
              <ul>{requestFields.map((n) => item(`request.${n}`, requestTypes[n]))}</ul>
            )}
          </div>
          {[...byView].map(([view, features]) => (
            <div key={view}>
              <h3 className="mb-1 truncate px-1.5 font-mono text-xs font-medium text-zinc-500" title={view}>
                {view}
              </h3>
              <ul>{features.map((a) => item(`${a.view}.${a.feature}`, a.dtype))}</ul>
            </div>
          ))}
          {byView.size === 0 && (
            <p className="px-1.5 text-xs text-zinc-500">
              The project has no feature views: expressions can read request fields only.
            </p>
          )}
        </div>
      </Card>
    </aside>
  );
}

const SCALARS = VALUE_TYPES.filter((t) => !t.startsWith("list<"));
const LISTS = VALUE_TYPES.filter((t) => t.startsWith("list<"));

function TypeOptions() {
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
