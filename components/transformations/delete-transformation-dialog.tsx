"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { CircleAlert } from "lucide-react";
import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { href } from "@/components/catalog/links";
import { Dialog } from "@/components/forms/dialog";
import { serverError } from "@/components/forms/form-errors";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Spinner } from "@/components/ui/skeleton";
import { useTRPC } from "@/trpc/client";

/**
 * Delete a transformation after typing its name. The server refuses (409) while a feature view
 * reads its output or a run is active; its message, which names them, is shown as it is.
 */
export function DeleteTransformationDialog({
  project,
  name,
  onClose,
}: {
  project: string;
  name: string;
  onClose: () => void;
}) {
  const id = useId();
  const trpc = useTRPC();
  const nav = useRouter();
  const queryClient = useQueryClient();
  const [typed, setTyped] = useState("");
  const [refused, setRefused] = useState<string | null>(null);
  const remove = useMutation({
    ...trpc.transformations.delete.mutationOptions(),
    onSuccess: async () => {
      nav.push(href.transformations(project));
      // The output source is gone too: lists, lineage and search all change.
      await queryClient.invalidateQueries();
    },
    onError: (e) => setRefused(serverError(e).message),
  });
  return (
    <Dialog
      open
      onClose={onClose}
      title={`Delete ${name}`}
      description="The transformation goes with its versions, its runs, its output source and the output table. This cannot be undone."
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
        {refused && (
          <div
            role="alert"
            data-testid="delete-refused"
            className="flex items-start gap-3 rounded-lg border border-red-200 bg-red-50/60 px-4 py-3 text-sm text-red-800"
          >
            <CircleAlert className="mt-0.5 size-4 shrink-0 text-red-500" aria-hidden />
            <p className="min-w-0 wrap-anywhere">{refused}</p>
          </div>
        )}
        <div className="flex justify-end gap-2">
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" variant="danger" disabled={typed !== name || remove.isPending}>
            {remove.isPending && <Spinner className="size-3.5 text-white" label="Deleting" />}
            Delete
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
