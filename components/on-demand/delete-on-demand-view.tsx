"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { CircleAlert, Trash2 } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { useRefusal } from "@/components/auth/use-refusal";
import { href } from "@/components/catalog/links";
import { Dialog } from "@/components/forms/dialog";
import { serverError } from "@/components/forms/form-errors";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Spinner } from "@/components/ui/skeleton";
import { useTRPC } from "@/trpc/client";

/**
 * Delete with the name typed to confirm. Feature services listing the view block it (the server
 * refuses with a 409 too, e.g. one added since the page loaded); both are shown in the dialog.
 */
export function DeleteOnDemandView({
  project,
  name,
  usedBy,
}: {
  project: string;
  name: string;
  usedBy: string[];
}) {
  const refusal = useRefusal(project, "definitions.write", "delete on-demand views");
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button
        size="sm"
        variant="ghost"
        disabled={refusal !== null}
        title={refusal ?? undefined}
        aria-label={`Delete ${name}`}
        onClick={() => setOpen(true)}
      >
        <Trash2 className={refusal ? "size-3.5" : "size-3.5 text-red-600"} aria-hidden />
        <span className={refusal ? undefined : "text-red-700"}>Delete</span>
      </Button>
      {open && <DeleteDialog project={project} name={name} usedBy={usedBy} onClose={() => setOpen(false)} />}
    </>
  );
}

function DeleteDialog({
  project,
  name,
  usedBy,
  onClose,
}: {
  project: string;
  name: string;
  usedBy: string[];
  onClose: () => void;
}) {
  const id = useId();
  const trpc = useTRPC();
  const nav = useRouter();
  const queryClient = useQueryClient();
  const [typed, setTyped] = useState("");
  const [refused, setRefused] = useState<string | null>(null);
  const remove = useMutation(
    trpc.onDemandViews.delete.mutationOptions({
      onSuccess: async () => {
        nav.push(href.onDemandViews(project));
        await queryClient.invalidateQueries(trpc.onDemandViews.pathFilter());
      },
      onError: (e) => setRefused(serverError(e).message),
    }),
  );
  const blocked = usedBy.length > 0;
  return (
    <Dialog
      open
      onClose={onClose}
      title={`Delete ${name}`}
      description="The on-demand view goes with all its versions; requests naming its features fail from then on. This cannot be undone."
    >
      <form
        noValidate
        aria-label={`Delete ${name}`}
        className="flex flex-col gap-4"
        onSubmit={(e) => {
          e.preventDefault();
          if (typed === name && !remove.isPending) remove.mutate({ project, name });
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
            <div className="min-w-0 wrap-anywhere">
              {refused ? (
                <p>{refused}</p>
              ) : (
                <>
                  <p className="font-medium">{name} cannot be deleted while feature services list it:</p>
                  <ul className="mt-1.5 flex flex-col gap-1">
                    {usedBy.map((s) => (
                      <li key={s}>
                        feature service{" "}
                        <Link
                          href={href.service(project, s)}
                          className="font-mono font-medium text-red-900 underline underline-offset-2"
                        >
                          {s}
                        </Link>
                      </li>
                    ))}
                  </ul>
                  <p className="mt-1.5">Remove it from them first.</p>
                </>
              )}
            </div>
          </div>
        )}
        <div className="flex justify-end gap-2">
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" variant="danger" disabled={typed !== name || remove.isPending || blocked}>
            {remove.isPending && <Spinner className="size-3.5 text-white" label="Deleting" />}
            Delete
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
