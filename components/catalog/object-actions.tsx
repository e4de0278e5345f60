"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Archive, ArchiveRestore, CircleAlert, Pencil, Trash2 } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useId, useState } from "react";
import { useRefusal } from "@/components/auth/use-refusal";
import { Button, ButtonLink } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Spinner } from "@/components/ui/skeleton";
import { Textarea } from "@/components/ui/textarea";
import { useTRPCClient } from "@/trpc/client";
import { Dialog } from "../forms/dialog";
import { sentence, serverError } from "../forms/form-errors";
import { dependantsOf, namedDependants } from "./dependants";
import { type EditableKind, formHref, href, objectHref } from "./links";

/** The tRPC router of each kind. */
const ROUTER = {
  entity: "entities",
  source: "sources",
  view: "featureViews",
  service: "featureServices",
  consumer: "consumers",
} as const;

const PLURAL: Record<EditableKind, string> = {
  entity: "entities",
  source: "sources",
  view: "feature views",
  service: "feature services",
  consumer: "consumers",
};

const WORDS: Record<EditableKind, string> = {
  entity: "entity",
  source: "source",
  view: "feature view",
  service: "feature service",
  consumer: "consumer",
};

/** Where to go once the object is gone. */
function listHref(project: string, kind: EditableKind): string {
  if (kind === "entity") return href.entities(project);
  if (kind === "source") return href.sources(project);
  if (kind === "view") return href.views(project);
  return href.services(project);
}

interface ObjectActionsProps {
  project: string;
  kind: EditableKind;
  name: string;
  /** The object's deprecation (null or undefined: not deprecated). */
  deprecated?: { note: string; replacedBy: string | null } | null;
  /** Leaves out Edit (a page that already shows its own Edit button). */
  hideEdit?: boolean;
  /** Icon buttons (named for screen readers) for a table row. */
  compact?: boolean;
}

/**
 * Edit, Deprecate (a note and a replacement of the same kind), Undeprecate and Delete (typing the
 * name to confirm; a refusal lists what depends on the object, as links) for one registry object.
 * A role that cannot change definitions sees the buttons disabled, with the reason as their title.
 */
export function ObjectActions({ project, kind, name, deprecated, hideEdit, compact }: ObjectActionsProps) {
  const refusal = useRefusal(project, "definitions.write", `change or delete ${PLURAL[kind]}`);
  const [open, setOpen] = useState<"deprecate" | "undeprecate" | "delete" | null>(null);
  const disabled = refusal !== null;
  const title = (label: string) => refusal ?? (compact ? `${label} ${name}` : undefined);
  const size = "sm";
  // Each button is named with the object ("Delete driver"), so a row's buttons are told apart.
  // (An aria-label, not hidden text: a page's getByText(name) still finds only the name.)
  const text = (label: string) => (compact ? null : label);
  const named = (label: string) => `${label} ${name}`;
  const close = () => setOpen(null);
  return (
    <div className="flex items-center gap-2" data-testid={`object-actions-${name}`}>
      {!hideEdit &&
        (disabled ? (
          <Button
            size={size}
            variant={compact ? "ghost" : "secondary"}
            disabled
            title={title("Edit")}
            aria-label={named("Edit")}
          >
            <Pencil className="size-3.5" aria-hidden />
            {text("Edit")}
          </Button>
        ) : (
          <ButtonLink
            href={formHref(project, kind, name)}
            size={size}
            variant={compact ? "ghost" : "secondary"}
            title={title("Edit")}
            aria-label={named("Edit")}
          >
            <Pencil className="size-3.5" aria-hidden />
            {text("Edit")}
          </ButtonLink>
        ))}
      {deprecated ? (
        <Button
          size={size}
          variant={compact ? "ghost" : "secondary"}
          disabled={disabled}
          title={title("Undeprecate")}
          aria-label={named("Undeprecate")}
          onClick={() => setOpen("undeprecate")}
        >
          <ArchiveRestore className="size-3.5" aria-hidden />
          {text("Undeprecate")}
        </Button>
      ) : (
        <Button
          size={size}
          variant={compact ? "ghost" : "secondary"}
          disabled={disabled}
          title={title("Deprecate")}
          aria-label={named("Deprecate")}
          onClick={() => setOpen("deprecate")}
        >
          <Archive className="size-3.5" aria-hidden />
          {text("Deprecate")}
        </Button>
      )}
      <Button
        size={size}
        variant="ghost"
        disabled={disabled}
        title={title("Delete")}
        aria-label={named("Delete")}
        onClick={() => setOpen("delete")}
      >
        <Trash2 className={disabled ? "size-3.5" : "size-3.5 text-red-600"} aria-hidden />
        {compact ? text("Delete") : <span className={disabled ? undefined : "text-red-700"}>Delete</span>}
      </Button>
      {/* Remounted on each opening, so a dialog starts empty. */}
      {open === "deprecate" && (
        <DeprecateDialog open onClose={close} project={project} kind={kind} name={name} />
      )}
      {open === "undeprecate" && (
        <UndeprecateDialog
          open
          onClose={close}
          project={project}
          kind={kind}
          name={name}
          deprecated={deprecated ?? null}
        />
      )}
      {open === "delete" && <DeleteDialog open onClose={close} project={project} kind={kind} name={name} />}
    </div>
  );
}

interface DialogBase {
  open: boolean;
  onClose: () => void;
  project: string;
  kind: EditableKind;
  name: string;
}

function useLifecycle(kind: EditableKind) {
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const router = client[ROUTER[kind]];
  return {
    router,
    // Deprecation and deletion show on lists, pages, lineage and search: refresh them all.
    refresh: () => queryClient.invalidateQueries(),
  };
}

function DeprecateDialog({ open, onClose, project, kind, name }: DialogBase) {
  const id = useId();
  const { router, refresh } = useLifecycle(kind);
  const [note, setNote] = useState("");
  const [replacedBy, setReplacedBy] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [banner, setBanner] = useState<string | null>(null);
  const others = useQuery({
    queryKey: ["object-actions", "names", kind, project],
    queryFn: async () => {
      const rows: { name: string }[] = await router.list.query({ project });
      return rows.map((r) => r.name);
    },
    enabled: open,
  });
  const deprecate = useMutation({
    mutationFn: () =>
      router.deprecate.mutate({ project, name, note: note.trim(), replacedBy: replacedBy || undefined }),
    onSuccess: async () => {
      await refresh();
      onClose();
    },
    onError: (e) => {
      const { field, message } = serverError(e);
      if (field === "note" || field === "replacedBy") setErrors({ [field]: sentence(message) });
      else setBanner(message);
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    setBanner(null);
    if (!note.trim()) return setErrors({ note: "Say why it is deprecated and what to use instead" });
    setErrors({});
    deprecate.mutate();
  }
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={`Deprecate ${name}`}
      description={`A deprecated ${WORDS[kind]} keeps working; everyone who reads it sees your note and its replacement.`}
    >
      <form onSubmit={submit} noValidate className="flex flex-col gap-4" aria-label={`Deprecate ${name}`}>
        <Field label="Note" required id={`${id}-note`} error={errors.note}>
          <Textarea
            value={note}
            onChange={(e) => {
              setNote(e.target.value);
              setErrors({});
            }}
            placeholder="Why, and what to do instead."
          />
        </Field>
        <Field
          label="Replaced by"
          id={`${id}-replaced-by`}
          error={errors.replacedBy}
          hint={`Optional: another ${WORDS[kind]} to use instead.`}
        >
          <Select
            value={replacedBy}
            onChange={(e) => setReplacedBy(e.target.value)}
            className="font-mono text-[13px]"
          >
            <option value="">No replacement</option>
            {(others.data ?? [])
              .filter((n) => n !== name)
              .map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
          </Select>
        </Field>
        <Banner message={banner} />
        <div className="flex justify-end gap-2">
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" disabled={deprecate.isPending}>
            {deprecate.isPending && <Spinner className="size-3.5 text-white" label="Saving" />}
            Deprecate
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function UndeprecateDialog({
  open,
  onClose,
  project,
  kind,
  name,
  deprecated,
}: DialogBase & { deprecated: { note: string; replacedBy: string | null } | null }) {
  const { router, refresh } = useLifecycle(kind);
  const [banner, setBanner] = useState<string | null>(null);
  const undeprecate = useMutation({
    mutationFn: () => router.undeprecate.mutate({ project, name }),
    onSuccess: async () => {
      await refresh();
      onClose();
    },
    onError: (e) => setBanner(serverError(e).message),
  });
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={`Undeprecate ${name}`}
      description={`The ${WORDS[kind]} stops being marked deprecated; its note and replacement are cleared.`}
    >
      {deprecated?.note && (
        <blockquote className="rounded-md border-l-2 border-amber-400 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          {deprecated.note}
        </blockquote>
      )}
      <Banner message={banner} />
      <div className="flex justify-end gap-2">
        <Button variant="ghost" onClick={onClose}>
          Cancel
        </Button>
        <Button variant="primary" disabled={undeprecate.isPending} onClick={() => undeprecate.mutate()}>
          Undeprecate
        </Button>
      </div>
    </Dialog>
  );
}

function DeleteDialog({ open, onClose, project, kind, name }: DialogBase) {
  const id = useId();
  const nav = useRouter();
  const { router, refresh } = useLifecycle(kind);
  const [typed, setTyped] = useState("");
  const [refused, setRefused] = useState<string | null>(null);
  const remove = useMutation({
    mutationFn: () => router.delete.mutate({ project, name }),
    onSuccess: async () => {
      nav.push(listHref(project, kind));
      await refresh();
    },
    onError: (e) => setRefused(serverError(e).message),
  });
  // Asked when the dialog opens, so a blocked delete says why before anything is typed; the 409
  // of a delete that raced a new dependant is read the same way.
  const known = useQuery({
    queryKey: ["object-actions", "dependants", kind, project, name],
    queryFn: async () => namedDependants((await router.dependants.query({ project, name })).dependants),
    enabled: open,
    staleTime: 0,
  });
  const dependants = refused ? dependantsOf(refused) : (known.data ?? []);
  const blocked = dependants.length > 0;
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={`Delete ${name}`}
      description={
        kind === "view"
          ? "The feature view goes with all its versions, runs and online values. This cannot be undone."
          : `The ${WORDS[kind]} is removed from the registry. This cannot be undone.`
      }
    >
      <form
        noValidate
        aria-label={`Delete ${name}`}
        className="flex flex-col gap-4"
        onSubmit={(e) => {
          e.preventDefault();
          if (typed === name && !remove.isPending) remove.mutate();
        }}
      >
        <Field label={`Type ${name} to confirm`} id={`${id}-confirm`}>
          <Input
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            className="font-mono text-[13px]"
            autoComplete="off"
            spellCheck={false}
            autoFocus
          />
        </Field>
        {(refused || blocked) && (
          <div
            role="alert"
            data-testid="delete-refused"
            className="flex items-start gap-3 rounded-lg border border-red-200 bg-red-50/60 px-4 py-3 text-sm text-red-800"
          >
            <CircleAlert className="mt-0.5 size-4 shrink-0 text-red-500" aria-hidden />
            {blocked ? (
              <div className="min-w-0">
                <p className="font-medium">
                  {name} cannot be deleted while {dependants.length === 1 ? "this depends" : "these depend"}{" "}
                  on it:
                </p>
                <ul className="mt-1.5 flex flex-col gap-1">
                  {dependants.map((d) => (
                    <li key={`${d.words}:${d.name}`}>
                      {d.replacement ? "deprecated " : ""}
                      {d.words}{" "}
                      {d.kind ? (
                        <Link
                          href={objectHref(project, d.kind, d.name)}
                          className="font-mono font-medium text-red-900 underline underline-offset-2"
                        >
                          {d.name}
                        </Link>
                      ) : (
                        <span className="font-mono">{d.name}</span>
                      )}
                      {d.replacement ? " (names it as its replacement)" : ""}
                    </li>
                  ))}
                </ul>
                <p className="mt-1.5">Delete or change them first.</p>
              </div>
            ) : (
              <p className="min-w-0 break-words">{sentence(refused ?? "")}</p>
            )}
          </div>
        )}
        <div className="flex justify-end gap-2">
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button
            type="submit"
            variant="danger"
            disabled={typed !== name || remove.isPending || blocked || known.isPending}
            title={blocked ? "Delete or change what depends on it first" : undefined}
          >
            {remove.isPending && <Spinner className="size-3.5 text-white" label="Deleting" />}
            Delete {WORDS[kind]}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function Banner({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <p role="alert" className="flex items-start gap-2 text-sm text-red-700">
      <CircleAlert className="mt-0.5 size-4 shrink-0" aria-hidden />
      {sentence(message)}
    </p>
  );
}
