"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Trash2 } from "lucide-react";
import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { href } from "@/components/catalog/links";
import { Dialog } from "@/components/forms/dialog";
import { serverError } from "@/components/forms/form-errors";
import { FormBanner } from "@/components/forms/form-shell";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { useTRPC } from "@/trpc/client";

/** Delete with the name typed to confirm; the view's tiles then expire in Redis after their retention. */
export function DeleteStreamView({ project, name }: { project: string; name: string }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const router = useRouter();
  const id = useId();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState("");
  const remove = useMutation(
    trpc.streamViews.delete.mutationOptions({
      onSuccess: async () => {
        router.push(href.streamViews(project));
        await qc.invalidateQueries(trpc.streamViews.pathFilter());
      },
    }),
  );
  return (
    <>
      <Button size="sm" variant="secondary" onClick={() => setOpen(true)} aria-label={`Delete ${name}`}>
        <Trash2 className="size-3.5" aria-hidden />
        Delete
      </Button>
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        title={`Delete ${name}`}
        description="The stream view goes with all its versions. Its values stop being served; its tiles expire in Redis after the retention, and its offline table stays."
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
          <FormBanner message={remove.error ? serverError(remove.error).message : null} />
          <div className="flex justify-end gap-2">
            <Button variant="ghost" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button type="submit" variant="danger" disabled={typed !== name || remove.isPending}>
              Delete stream view
            </Button>
          </div>
        </form>
      </Dialog>
    </>
  );
}
