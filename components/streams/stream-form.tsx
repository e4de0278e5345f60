"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Plus, X } from "lucide-react";
import { useRouter } from "next/navigation";
import { type FormEvent, useId, useState } from "react";
import { useRefusal } from "@/components/auth/use-refusal";
import { href } from "@/components/catalog/links";
import { type FormErrors, serverError, withoutError } from "@/components/forms/form-errors";
import { FormBanner, FormBar } from "@/components/forms/form-shell";
import { InlineError } from "@/components/forms/inline-error";
import { formTitle, ObjectFormPage } from "@/components/forms/object-form-page";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
import { STREAM_AGGREGATION_FUNCTIONS, STREAM_WINDOW_KINDS } from "@/server/core/vocabulary";
import { useTRPC } from "@/trpc/client";
import { DurationInput } from "../views/duration-input";
import {
  type AggregationRow,
  emptyStreamForm,
  formOfSpec,
  newAggregation,
  type StreamFormValue,
  specOfForm,
} from "./stream-form-state";

/** Paths the form has an input for; a server error elsewhere goes to the banner. */
const FORM_PATH =
  /^(name|description|owner|stream\.key|entities(\.\d+)?|timestampField|eventIdField|tileSeconds|allowedLatenessSeconds|aggregations(\.\d+\.(name|function|column|windowSeconds|kind))?)$/;

/** Create or edit a stream view; an edit names the version it started from (a stale one is a 409). */
export function StreamForm({ project, editName }: { project: string; editName?: string }) {
  const trpc = useTRPC();
  const refusal = useRefusal(project, "definitions.write", "define stream views");
  const current = useQuery({
    ...trpc.streamViews.get.queryOptions({ project, name: editName ?? "" }),
    enabled: editName !== undefined,
  });
  const entities = useQuery(trpc.entities.list.queryOptions({ project }));
  const back = editName
    ? { href: href.streamView(project, editName), label: editName }
    : { href: href.streamViews(project), label: "Stream views" };
  return (
    <ObjectFormPage
      title={formTitle(editName, "New stream view")}
      description="Windowed aggregations per entity over a Redis Stream of this project, served online as view:feature."
      back={back}
      refusal={refusal}
      load={{
        error: current.error ?? entities.error,
        pending: (editName !== undefined && current.isPending) || entities.isPending,
        what: "Stream view",
      }}
    >
      {entities.data && (editName === undefined || current.data) && (
        <Form
          project={project}
          editName={editName}
          initial={current.data ? formOfSpec(current.data.spec) : emptyStreamForm(project)}
          baseVersion={current.data?.currentVersion}
          entityNames={entities.data.map((e) => ({ name: e.name, joinKey: e.joinKey }))}
          cancelHref={back.href}
        />
      )}
    </ObjectFormPage>
  );
}

function Form({
  project,
  editName,
  initial,
  baseVersion,
  entityNames,
  cancelHref,
}: {
  project: string;
  editName?: string;
  initial: StreamFormValue;
  baseVersion?: number;
  entityNames: { name: string; joinKey: string }[];
  cancelHref: string;
}) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const router = useRouter();
  const id = useId();
  const [v, setV] = useState(initial);
  const [errors, setErrors] = useState<FormErrors>({});
  const [banner, setBanner] = useState<string | null>(null);
  const [conflict, setConflict] = useState<string | null>(null);
  const err = (path: string) => errors[path];

  function change(patch: Partial<StreamFormValue>, ...paths: string[]) {
    setV((s) => ({ ...s, ...patch }));
    setErrors((e) => paths.reduce(withoutError, e));
  }
  function changeRow(i: number, patch: Partial<AggregationRow>, path: string) {
    setV((s) => ({ ...s, aggregations: s.aggregations.map((a, j) => (j === i ? { ...a, ...patch } : a)) }));
    setErrors((e) => withoutError(e, `aggregations.${i}.${path}`));
  }

  const onError = (error: unknown) => {
    const { field, message, code, issues } = serverError(error, "spec.");
    if (code === "CONFLICT" && field === "expectedVersion") return setConflict(message);
    if (field && FORM_PATH.test(field)) return setErrors({ [field]: message });
    if (issues && Object.keys(issues).every((k) => FORM_PATH.test(k))) return setErrors(issues);
    setBanner(message);
  };
  const onSaved = async (out: { name: string }) => {
    await qc.invalidateQueries(trpc.streamViews.pathFilter());
    router.push(href.streamView(project, out.name));
  };
  const create = useMutation(trpc.streamViews.create.mutationOptions({ onSuccess: onSaved, onError }));
  const update = useMutation(trpc.streamViews.update.mutationOptions({ onSuccess: onSaved, onError }));
  const busy = create.isPending || update.isPending;

  function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setBanner(null);
    const out = specOfForm(project, v);
    if (out.errors) return setErrors(out.errors);
    setErrors({});
    if (editName && baseVersion) update.mutate({ project, expectedVersion: baseVersion, spec: out.spec });
    else create.mutate({ project, spec: out.spec });
  }

  const available = entityNames.filter((e) => !v.entities.includes(e.name));
  return (
    <form noValidate onSubmit={submit} className="flex max-w-4xl flex-col gap-6" aria-label="Stream view">
      {conflict && (
        <div
          role="alert"
          data-testid="conflict-banner"
          className="rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900"
        >
          {conflict}{" "}
          <a
            href={href.editStreamView(project, editName ?? "")}
            className="font-medium underline underline-offset-2"
          >
            Reload the form
          </a>
        </div>
      )}
      <Card title="Stream">
        <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
          <Field
            label="Name"
            id={`${id}-name`}
            error={err("name")}
            required
            hint={editName ? "A name cannot change." : "Lowercase letters, digits and _."}
          >
            <Input
              value={v.name}
              disabled={editName !== undefined}
              onChange={(e) => change({ name: e.target.value }, "name")}
              className="font-mono"
              autoComplete="off"
            />
          </Field>
          <Field
            label="Stream key"
            id={`${id}-key`}
            error={err("stream.key")}
            required
            hint={`The Redis Stream to read. It must start with "${project}:": a project reads only its own streams.`}
          >
            <Input
              value={v.streamKey}
              onChange={(e) => change({ streamKey: e.target.value }, "stream.key")}
              className="font-mono"
              autoComplete="off"
              spellCheck={false}
            />
          </Field>
          <Field
            label="Event time field"
            id={`${id}-ts`}
            error={err("timestampField")}
            required
            hint="Epoch ms or ISO 8601 with a zone."
          >
            <Input
              value={v.timestampField}
              onChange={(e) => change({ timestampField: e.target.value }, "timestampField")}
              className="font-mono"
            />
          </Field>
          <Field
            label="Event id field"
            id={`${id}-eid`}
            error={err("eventIdField")}
            hint="Optional: the producer's id, so a re-sent event counts once. Blank: the stream entry id."
          >
            <Input
              value={v.eventIdField}
              onChange={(e) => change({ eventIdField: e.target.value }, "eventIdField")}
              className="font-mono"
            />
          </Field>
          <Field
            label="Allowed lateness"
            id={`${id}-late`}
            error={err("allowedLatenessSeconds")}
            hint="Events older than the newest seen minus this are dropped and counted as late."
          >
            <DurationInput
              value={v.lateness}
              onChange={(lateness) => change({ lateness }, "allowedLatenessSeconds")}
              unitLabel="Allowed lateness unit"
              unitId={`${id}-late-unit`}
            />
          </Field>
          <Field
            label="Tile size"
            id={`${id}-tile`}
            error={err("tileSeconds")}
            hint={
              editName
                ? "Fixed for the view's life: its stored tiles are cut by it."
                : "Windows are whole multiples of it; it cannot change later."
            }
          >
            <DurationInput
              value={v.tile}
              onChange={(tile) => change({ tile }, "tileSeconds")}
              unitLabel="Tile size unit"
              unitId={`${id}-tile-unit`}
              disabled={editName !== undefined}
            />
          </Field>
        </div>
      </Card>

      <Card
        title="Entities"
        description="Each entity's join key is read from the event field of the same name."
      >
        <div className="flex flex-col gap-2" data-testid="stream-entities">
          <div className="flex flex-wrap gap-2">
            {v.entities.map((name) => (
              <span
                key={name}
                className="inline-flex items-center gap-1 rounded-md bg-zinc-100 px-2 py-1 font-mono text-[13px]"
              >
                {name}
                <span className="text-zinc-400">· {entityNames.find((e) => e.name === name)?.joinKey}</span>
                <button
                  type="button"
                  aria-label={`Remove ${name}`}
                  className="text-zinc-500 hover:text-zinc-900"
                  onClick={() => change({ entities: v.entities.filter((x) => x !== name) }, "entities")}
                >
                  <X className="size-3.5" aria-hidden />
                </button>
              </span>
            ))}
          </div>
          {available.length > 0 && (
            <Select
              aria-label="Add an entity"
              value=""
              onChange={(e) =>
                e.target.value && change({ entities: [...v.entities, e.target.value] }, "entities")
              }
              className="max-w-72"
            >
              <option value="">Add an entity…</option>
              {available.map((e) => (
                <option key={e.name} value={e.name}>
                  {e.name} ({e.joinKey})
                </option>
              ))}
            </Select>
          )}
          {entityNames.length === 0 && (
            <p className="text-sm text-zinc-500">The project has no entity yet: create one first.</p>
          )}
          <InlineError message={err("entities")} />
        </div>
      </Card>

      <Card
        title="Aggregations"
        description="Each row is a feature: a function of an event field over a window."
      >
        <div className="flex flex-col gap-4">
          {v.aggregations.map((a, i) => (
            <fieldset
              key={a.key}
              className="grid grid-cols-1 gap-3 rounded-lg border border-zinc-200 p-3 md:grid-cols-[1fr_8rem_1fr] lg:grid-cols-[1.2fr_7rem_1fr_14rem_8rem_auto]"
              data-testid={`aggregation-${i}`}
            >
              <legend className="sr-only">Aggregation {i + 1}</legend>
              <Field label="Feature" id={`${id}-a${i}-name`} error={err(`aggregations.${i}.name`)}>
                <Input
                  value={a.name}
                  onChange={(e) => changeRow(i, { name: e.target.value }, "name")}
                  className="font-mono"
                />
              </Field>
              <Field label="Function" id={`${id}-a${i}-fn`} error={err(`aggregations.${i}.function`)}>
                <Select
                  value={a.function}
                  onChange={(e) =>
                    changeRow(i, { function: e.target.value as AggregationRow["function"] }, "column")
                  }
                >
                  {STREAM_AGGREGATION_FUNCTIONS.map((f) => (
                    <option key={f} value={f}>
                      {f}
                    </option>
                  ))}
                </Select>
              </Field>
              <Field
                label="Field"
                id={`${id}-a${i}-col`}
                error={err(`aggregations.${i}.column`)}
                hint={a.function === "count" ? "count reads no field" : undefined}
              >
                <Input
                  value={a.function === "count" ? "" : a.column}
                  disabled={a.function === "count"}
                  onChange={(e) => changeRow(i, { column: e.target.value }, "column")}
                  className="font-mono"
                />
              </Field>
              <Field label="Window" id={`${id}-a${i}-win`} error={err(`aggregations.${i}.windowSeconds`)}>
                <DurationInput
                  value={a.window}
                  onChange={(window) => changeRow(i, { window }, "windowSeconds")}
                  unitLabel={`Window unit of aggregation ${i + 1}`}
                  unitId={`${id}-a${i}-win-unit`}
                />
              </Field>
              <Field label="Kind" id={`${id}-a${i}-kind`}>
                <Select
                  value={a.kind}
                  onChange={(e) => changeRow(i, { kind: e.target.value as AggregationRow["kind"] }, "kind")}
                >
                  {STREAM_WINDOW_KINDS.map((k) => (
                    <option key={k} value={k}>
                      {k}
                    </option>
                  ))}
                </Select>
              </Field>
              <div className="flex items-end">
                <Button
                  type="button"
                  variant="ghost"
                  size="sm"
                  aria-label={`Remove aggregation ${i + 1}`}
                  disabled={v.aggregations.length === 1}
                  onClick={() =>
                    change({ aggregations: v.aggregations.filter((_, j) => j !== i) }, "aggregations")
                  }
                >
                  <X className="size-3.5" aria-hidden />
                </Button>
              </div>
            </fieldset>
          ))}
          <InlineError message={err("aggregations")} />
          <div>
            <Button
              type="button"
              variant="secondary"
              size="sm"
              onClick={() => change({ aggregations: [...v.aggregations, newAggregation()] })}
            >
              <Plus className="size-3.5" aria-hidden />
              Add aggregation
            </Button>
          </div>
        </div>
      </Card>

      <Card title="About">
        <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
          <Field label="Owner" id={`${id}-owner`} error={err("owner")}>
            <Input value={v.owner} onChange={(e) => change({ owner: e.target.value }, "owner")} />
          </Field>
          <Field label="Description" id={`${id}-desc`} error={err("description")} className="md:col-span-2">
            <Textarea
              value={v.description}
              onChange={(e) => change({ description: e.target.value }, "description")}
              rows={2}
            />
          </Field>
        </div>
      </Card>

      <FormBanner message={banner} />
      <FormBar
        errorCount={Object.keys(errors).length}
        cancelHref={cancelHref}
        submitLabel={editName ? "Save new version" : "Create stream view"}
        busy={busy}
      />
    </form>
  );
}
