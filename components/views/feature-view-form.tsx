"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ArrowLeft, CircleAlert, Layers, Lock, RefreshCw } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, type ReactNode, useEffect, useId, useRef, useState } from "react";
import { useRefusal } from "@/components/auth/use-refusal";
import { href } from "@/components/catalog/links";
import { Badge } from "@/components/ui/badge";
import { Button, ButtonLink } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState, isNotFound } from "@/components/ui/error-state";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { PageBody, PageHeader } from "@/components/ui/page-header";
import { Skeleton, Spinner } from "@/components/ui/skeleton";
import { Textarea } from "@/components/ui/textarea";
import type { FeatureViewSpec } from "@/server/registry/schemas";
import { useTRPC } from "@/trpc/client";
import type { RouterOutputs } from "@/trpc/types";
import { type FormErrors, sentence, serverError, withoutError } from "../forms/form-errors";
import { formTitle } from "../forms/object-form-page";
import { Switch } from "../forms/switch";
import { TagsEditor } from "../forms/tags-editor";
import { SchedulePanel } from "../schedules/schedule-panel";
import { DurationInput } from "./duration-input";
import { EntityPicker } from "./entity-picker";
import { FieldsEditor } from "./fields-editor";
import { type FeatureViewPlan, PlanScreen } from "./plan-screen";
import { SourcePicker } from "./source-picker";
import {
  draftClashes,
  draftsInUse,
  emptyViewForm,
  type ViewFormState,
  validateViewForm,
  viewFormFromSpec,
} from "./view-form-state";

type Entity = RouterOutputs["entities"]["list"][number];
type Source = RouterOutputs["sources"]["list"][number];

interface FeatureViewFormProps {
  project: string;
  /** Edits this view (a new version of it) instead of registering a new one. */
  editName?: string;
}

/**
 * The feature view form: registers a view, or with `editName` saves a new version of one. Loads
 * the project's entities and sources (and the edited view), then renders the form body.
 */
export function FeatureViewForm({ project, editName }: FeatureViewFormProps) {
  const trpc = useTRPC();
  // A role that cannot write reads why before filling anything in (the server refuses anyway).
  const refusal = useRefusal(
    project,
    "definitions.write",
    editName ? "edit feature views" : "register feature views",
  );
  const entities = useQuery(trpc.entities.list.queryOptions({ project }));
  const sources = useQuery(trpc.sources.list.queryOptions({ project }));
  const view = useQuery({
    ...trpc.featureViews.get.queryOptions({ project, name: editName ?? "" }),
    enabled: !!editName,
  });

  const back = (
    <Link
      href={editName ? href.view(project, editName) : href.views(project)}
      className="inline-flex items-center gap-1 hover:text-zinc-900"
    >
      <ArrowLeft className="size-3.5" aria-hidden />
      {editName ?? "Feature views"}
    </Link>
  );
  const title = formTitle(editName, "Register feature view");
  const header = (meta?: ReactNode) => (
    <PageHeader
      eyebrow={back}
      title={title}
      meta={meta}
      description={
        editName
          ? "Saving creates the next version; the current one stays readable in the version history."
          : "A feature view names typed features read from one source and keyed by one or more entities."
      }
    />
  );

  if (refusal !== null) {
    return (
      <PageBody>
        {header()}
        {refusal === undefined ? (
          <FormSkeleton />
        ) : (
          <div data-testid="role-refusal">
            <EmptyState
              icon={Lock}
              title="Your role cannot do this"
              description={refusal}
              action={
                <ButtonLink href={editName ? href.view(project, editName) : href.views(project)}>
                  {editName ?? "Feature views"}
                </ButtonLink>
              }
            />
          </div>
        )}
      </PageBody>
    );
  }

  const failed = entities.error ?? sources.error ?? (editName ? view.error : null);
  if (failed) {
    return (
      <PageBody>
        {header()}
        {editName && isNotFound(view.error) ? (
          <EmptyState
            icon={Layers}
            title="Feature view not found"
            description={view.error?.message}
            action={<ButtonLink href={href.views(project)}>All feature views</ButtonLink>}
          />
        ) : (
          <ErrorState
            error={failed}
            title="Could not load the form"
            retry={() => {
              void entities.refetch();
              void sources.refetch();
              if (editName) void view.refetch();
            }}
          />
        )}
      </PageBody>
    );
  }
  if (!entities.data || !sources.data || (editName && !view.data)) {
    return (
      <PageBody>
        {header()}
        <FormSkeleton />
      </PageBody>
    );
  }

  const edited = editName ? view.data : undefined;
  return (
    <PageBody>
      {header(
        edited && (
          <Badge tone="indigo" mono title="The version this edit is based on">
            from v{edited.currentVersion}
          </Badge>
        ),
      )}
      <ViewFormBody
        // A reload after a conflict brings a newer version: start over from it.
        key={edited ? `edit-${edited.currentVersion}` : "new"}
        project={project}
        entities={entities.data}
        sources={sources.data}
        initial={edited ? viewFormFromSpec(edited.spec) : emptyViewForm()}
        edit={edited ? { baseVersion: edited.currentVersion, reload: () => view.refetch() } : undefined}
      />
      {/* Operational config, saved on its own (schedules.set), not a new version of the view. */}
      {edited && (
        <div className="mt-6 max-w-5xl">
          <SchedulePanel project={project} featureView={edited.name} />
        </div>
      )}
    </PageBody>
  );
}

/** Source inputs as their labels read, for a refused draft's message. */
const DRAFT_FIELD_WORDS: Record<string, string> = {
  tableName: "table name",
  query: "query",
  path: "path",
  fileFormat: "format",
  timestampField: "timestamp field",
  createdTimestampField: "created timestamp field",
  joinKey: "join key",
  valueType: "value type",
};

type Created = { kind: "entity" | "source"; name: string };

interface ViewFormBodyProps {
  project: string;
  entities: Entity[];
  sources: Source[];
  initial: ViewFormState;
  edit?: { baseVersion: number; reload: () => void };
}

/** Paths of the inputs this form renders, which a server error may point at. */
const FORM_PATH =
  /^(name|description|owner|source|ttlSeconds|freshnessSlaSeconds|tags|entities(\.\d+)?|fields(\.\d+\.(name|dtype|description))?)$/;

function ViewFormBody({ project, entities, sources, initial, edit }: ViewFormBodyProps) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const create = useMutation(trpc.featureViews.create.mutationOptions());
  const update = useMutation(trpc.featureViews.update.mutationOptions());
  const createEntity = useMutation(trpc.entities.create.mutationOptions());
  const createSource = useMutation(trpc.sources.create.mutationOptions());
  const deleteEntity = useMutation(trpc.entities.delete.mutationOptions());
  const deleteSource = useMutation(trpc.sources.delete.mutationOptions());
  const [saving, setSaving] = useState<"saving" | "saved" | null>(null);
  const planEdit = useMutation(trpc.featureViews.plan.mutationOptions());
  /** An edit with breaking changes, waiting on the plan screen (with the drafts its submit created). */
  const [plan, setPlan] = useState<{
    data: FeatureViewPlan;
    spec: FeatureViewSpec;
    created: Created[];
  } | null>(null);
  const [planSaving, setPlanSaving] = useState<"save" | "rematerialize" | null>(null);
  const rematerializeRefusal = useRefusal(project, "jobs.run", "re-materialize feature views");
  const id = useId();
  const formRef = useRef<HTMLFormElement>(null);

  const [state, setState] = useState(initial);
  const [errors, setErrors] = useState<FormErrors>({});
  const [banner, setBanner] = useState<string | null>(null);
  const [conflict, setConflict] = useState<string | null>(null);
  // Bumped whenever a submit finds errors, so the first invalid input gets focus after render.
  const [errorRound, setErrorRound] = useState(0);

  useEffect(() => {
    if (errorRound === 0) return;
    const first = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
    if (first) {
      first.focus({ preventScroll: true });
      first.scrollIntoView({ block: "center", behavior: "smooth" });
    }
  }, [errorRound]);

  // A form-level failure shows next to the submit bar; bring it into view.
  const alertRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (banner || conflict) alertRef.current?.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }, [banner, conflict]);

  // Once saved the form stays disabled until the view page opens.
  const busy = saving !== null;
  const errorOf = (path: string) => (errors[path] ? sentence(errors[path]) : undefined);

  /** Changes part of the form and drops the errors of what changed (`prefix` and below). */
  function change<K extends keyof ViewFormState>(key: K, value: ViewFormState[K], prefix: string = key) {
    setState((s) => ({ ...s, [key]: value }));
    setErrors((e) => {
      const hit = Object.keys(e).filter((k) => k === prefix || k.startsWith(`${prefix}.`));
      return hit.reduce(withoutError, e);
    });
  }

  function showErrors(next: FormErrors) {
    setErrors(next);
    setErrorRound((n) => n + 1);
  }

  function onFailure(error: unknown) {
    const { field, message, code, issues } = serverError(error, "spec.");
    if (code === "CONFLICT" && field === "baseVersion") {
      setConflict(message);
      return;
    }
    if (field && FORM_PATH.test(field)) return showErrors({ [field]: message });
    if (issues && Object.keys(issues).every((k) => FORM_PATH.test(k))) return showErrors(issues);
    setBanner(issues ? "The server refused the definition; check the values and try again." : message);
  }

  async function onSaved(name: string) {
    await Promise.all([
      queryClient.invalidateQueries(trpc.featureViews.pathFilter()),
      queryClient.invalidateQueries(trpc.jobs.pathFilter()),
      queryClient.invalidateQueries(trpc.lineage.pathFilter()),
      queryClient.invalidateQueries(trpc.search.pathFilter()),
    ]);
    router.push(href.view(project, name));
  }

  /**
   * Saves the view with the inline drafts it uses. Everything is checked first (the view and each
   * draft with the server's schemas, draft names against the stored ones); then the drafts are
   * created, then the view. If the server refuses a draft or the view, the drafts this submit
   * created are deleted again, so a refused or cancelled view leaves nothing behind.
   */
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setBanner(null);
    setConflict(null);
    const result = validateViewForm(state);
    const clashes = draftClashes(state, {
      entities: entities.map((x) => x.name),
      sources: sources.map((x) => x.name),
    });
    if (!result.ok || Object.keys(clashes).length > 0)
      return showErrors({ ...(result.ok ? {} : result.errors), ...clashes });
    setErrors({});
    setSaving("saving");
    const created = await createDrafts();
    if (!created) return setSaving(null);
    if (edit) {
      // An edit is planned first: breaking changes go to the plan screen, the rest save directly.
      let planned: FeatureViewPlan;
      try {
        planned = await planEdit.mutateAsync({ project, baseVersion: edit.baseVersion, spec: result.spec });
      } catch (error) {
        await removeDrafts(created);
        onFailure(error);
        return setSaving(null);
      }
      if (planned.breaking.length > 0) {
        setPlan({ data: planned, spec: result.spec, created });
        return setSaving(null);
      }
    }
    await write(result.spec, created, false);
  }

  /** Saves the view (a new one, or the next version); a refusal takes the submit's drafts back out. */
  async function write(spec: FeatureViewSpec, created: Created[], rematerialize: boolean) {
    try {
      const written = edit
        ? await update.mutateAsync({ project, baseVersion: edit.baseVersion, spec, rematerialize })
        : await create.mutateAsync({ project, spec });
      setSaving("saved");
      await onSaved(written.name);
    } catch (error) {
      await removeDrafts(created);
      setPlan(null);
      setPlanSaving(null);
      onFailure(error);
      setSaving(null);
    }
  }

  /** Creates the drafts the view uses; on a refusal, removes those already made and says why. */
  async function createDrafts(): Promise<Created[] | null> {
    const drafts = draftsInUse(state);
    const created: Created[] = [];
    const steps: { draft: Created; run: () => Promise<unknown> }[] = drafts.entities.map((d) => ({
      draft: { kind: "entity", name: d.name },
      run: () => createEntity.mutateAsync({ project, ...d }),
    }));
    const source = drafts.source;
    if (source)
      steps.push({
        draft: { kind: "source", name: source.name },
        run: () => createSource.mutateAsync({ project, ...source }),
      });
    for (const { draft, run } of steps) {
      try {
        await run();
        created.push(draft);
      } catch (error) {
        await removeDrafts(created);
        const { field, message } = serverError(error);
        const at = draft.kind === "entity" ? `entities.${state.entities.indexOf(draft.name)}` : "source";
        const what = draft.kind === "entity" ? "entity" : `source "${draft.name}"`;
        const where = field && field !== "name" ? `${DRAFT_FIELD_WORDS[field] ?? field}: ` : "";
        showErrors({ [at]: `the new ${what} was refused: ${where}${message}` });
        return null;
      }
    }
    return created;
  }

  /** Deletes drafts a refused submit created; one that cannot be deleted stays, and the banner says so. */
  async function removeDrafts(created: Created[]) {
    const left: string[] = [];
    for (const c of [...created].reverse()) {
      try {
        if (c.kind === "entity") await deleteEntity.mutateAsync({ project, name: c.name });
        else await deleteSource.mutateAsync({ project, name: c.name });
      } catch {
        left.push(`${c.kind} "${c.name}"`);
      }
    }
    if (left.length > 0) {
      // They exist now: pick them from the lists instead of creating them again.
      setState((s) => ({
        ...s,
        newEntities: s.newEntities.filter(
          (d) => !created.some((c) => c.kind === "entity" && c.name === d.name),
        ),
        newSource: s.newSource && created.some((c) => c.kind === "source") ? null : s.newSource,
      }));
      setBanner(
        `The ${left.join(" and ")} created for this view could not be removed again; they are saved now.`,
      );
    }
    await Promise.all([
      queryClient.invalidateQueries(trpc.entities.pathFilter()),
      queryClient.invalidateQueries(trpc.sources.pathFilter()),
    ]);
  }

  const errorCount = Object.keys(errors).length;

  if (plan) {
    return (
      <PlanScreen
        project={project}
        plan={plan.data}
        saving={planSaving}
        rematerializeRefusal={rematerializeRefusal}
        onBack={async () => {
          // Back to the form: the drafts this submit created go again, as if it never happened.
          await removeDrafts(plan.created);
          setPlan(null);
        }}
        onSave={(rematerialize) => {
          setPlanSaving(rematerialize ? "rematerialize" : "save");
          setSaving("saving");
          void write(plan.spec, plan.created, rematerialize);
        }}
      />
    );
  }

  return (
    <form
      ref={formRef}
      noValidate
      onSubmit={submit}
      className="flex max-w-5xl flex-col gap-6"
      aria-busy={busy}
    >
      <Card title="Basics">
        <div className="flex flex-col gap-5">
          <div className="grid grid-cols-1 gap-5 md:grid-cols-2">
            <Field
              label="Name"
              required
              id={`${id}-name`}
              error={errorOf("name")}
              hint={
                edit
                  ? "A view's name cannot change."
                  : "Lowercase letters, digits and _, starting with a letter."
              }
            >
              <Input
                value={state.name}
                onChange={(e) => change("name", e.target.value)}
                disabled={busy || !!edit}
                placeholder="driver_hourly_stats"
                className="font-mono text-[13px]"
                autoComplete="off"
                spellCheck={false}
              />
            </Field>
            <Field
              label="Owner"
              id={`${id}-owner`}
              error={errorOf("owner")}
              hint="A team or a person to ask."
            >
              <Input
                value={state.owner}
                onChange={(e) => change("owner", e.target.value)}
                disabled={busy}
                placeholder="mobility-ml@example.com"
                autoComplete="off"
              />
            </Field>
          </div>
          <Field label="Description" id={`${id}-description`} error={errorOf("description")}>
            <Textarea
              value={state.description}
              onChange={(e) => change("description", e.target.value)}
              disabled={busy}
              placeholder="What the features describe and how they are computed."
            />
          </Field>
          <TagsEditor
            rows={state.tags}
            onChange={(rows) => change("tags", rows)}
            errorOf={errorOf}
            idPrefix={id}
            disabled={busy}
          />
        </div>
      </Card>

      <Card
        title="Keys and source"
        description="What the features describe, and where their values come from."
      >
        <div className="flex flex-col gap-5">
          <EntityPicker
            project={project}
            id={`${id}-entities`}
            value={state.entities}
            onChange={(names) => change("entities", names)}
            entities={entities}
            drafts={state.newEntities}
            onDraftsChange={(drafts) => setState((s) => ({ ...s, newEntities: drafts }))}
            errorOf={errorOf}
            disabled={busy}
          />
          <SourcePicker
            project={project}
            id={`${id}-source`}
            value={state.source}
            onChange={(name) => change("source", name)}
            sources={sources}
            draft={state.newSource}
            onDraftChange={(draft) => setState((s) => ({ ...s, newSource: draft }))}
            error={errorOf("source")}
            disabled={busy}
          />
        </div>
      </Card>

      <Card
        title="Features"
        description="One row per feature: a column of the source with the same name, and its value type."
      >
        <FieldsEditor
          rows={state.fields}
          onChange={(rows) => change("fields", rows)}
          errorOf={errorOf}
          idPrefix={id}
          disabled={busy}
        />
      </Card>

      <Card title="Serving">
        <div className="flex flex-col gap-5">
          <div className="grid grid-cols-1 gap-5 md:grid-cols-2">
            <Field
              label="Time to live"
              required
              id={`${id}-ttl`}
              error={errorOf("ttlSeconds")}
              hint="How long a value stays valid after its event time; 0 = no limit."
            >
              <DurationInput
                value={state.ttl}
                onChange={(v) => change("ttl", v, "ttlSeconds")}
                unitId={`${id}-ttl-unit`}
                unitLabel="Time to live unit"
                disabled={busy}
              />
            </Field>
            <Field
              label="Freshness SLA"
              id={`${id}-sla`}
              error={errorOf("freshnessSlaSeconds")}
              hint="Optional: how stale the online data may get before the view is in breach."
            >
              <DurationInput
                value={state.sla}
                onChange={(v) => change("sla", v, "freshnessSlaSeconds")}
                unitId={`${id}-sla-unit`}
                unitLabel="Freshness SLA unit"
                placeholder="none"
                disabled={busy}
              />
            </Field>
          </div>
          <Switch
            id={`${id}-online`}
            checked={state.online}
            onChange={(v) => change("online", v)}
            label="Online"
            description="Materialize into the online store so the retrieval API can serve these features."
            disabled={busy}
          />
        </div>
      </Card>

      <div ref={alertRef} className="flex flex-col gap-3 empty:hidden">
        {conflict && edit && (
          <div
            role="alert"
            className="flex items-start gap-3 rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900"
          >
            <CircleAlert className="mt-0.5 size-4 shrink-0 text-amber-600" aria-hidden />
            <div className="flex-1">
              <p className="font-medium">Someone saved this view while you were editing it.</p>
              <p className="mt-0.5">{sentence(conflict)}</p>
            </div>
            <Button size="sm" onClick={edit.reload} title="Your unsaved changes here are discarded">
              <RefreshCw className="size-3.5" aria-hidden />
              Load the current version
            </Button>
          </div>
        )}
        {banner && (
          <div
            role="alert"
            className="flex items-start gap-3 rounded-lg border border-red-200 bg-red-50/60 px-4 py-3 text-sm text-red-800"
          >
            <CircleAlert className="mt-0.5 size-4 shrink-0 text-red-500" aria-hidden />
            <p className="min-w-0 break-words">{sentence(banner)}</p>
          </div>
        )}
      </div>

      <div className="sticky bottom-0 -mx-1 flex items-center justify-end gap-3 border-t border-zinc-200 bg-white/95 px-1 py-3 backdrop-blur">
        {errorCount > 0 && (
          <p className="mr-auto text-sm text-red-600" role="status">
            {errorCount === 1 ? "1 field needs attention" : `${errorCount} fields need attention`}
          </p>
        )}
        <ButtonLink href={edit ? href.view(project, state.name) : href.views(project)} variant="ghost">
          Cancel
        </ButtonLink>
        <Button type="submit" variant="primary" disabled={busy}>
          {busy && <Spinner className="size-3.5 text-white" label="Saving" />}
          {edit ? "Save new version" : "Register feature view"}
        </Button>
      </div>
    </form>
  );
}

function FormSkeleton() {
  return (
    <div className="flex max-w-5xl flex-col gap-6" role="status" aria-label="Loading">
      <Skeleton className="h-64 w-full rounded-lg" />
      <Skeleton className="h-44 w-full rounded-lg" />
      <Skeleton className="h-48 w-full rounded-lg" />
    </div>
  );
}
