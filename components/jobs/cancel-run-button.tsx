"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { CircleX } from "lucide-react";
import { useState } from "react";
import { serverError } from "@/components/forms/form-errors";
import { Button } from "@/components/ui/button";
import { Spinner } from "@/components/ui/skeleton";
import { useTRPC } from "@/trpc/client";

/**
 * "Cancel…" on a queued or running run, then a confirm step ("Cancel run" / "Keep"). A running
 * run stops at its next batch boundary; the list refreshes to show it cancelled. A refusal (the
 * run finished meanwhile, say) shows inline.
 */
export function CancelRunButton({ project, runId }: { project: string; runId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const cancel = useMutation(trpc.jobs.cancel.mutationOptions());
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);

  function confirm() {
    setError(null);
    cancel.mutate(
      { project, runId },
      {
        onSuccess: () => setConfirming(false),
        onError: (e) => setError(serverError(e).message),
        onSettled: () => queryClient.invalidateQueries(trpc.jobs.pathFilter()),
      },
    );
  }

  if (!confirming)
    return (
      <Button size="sm" variant="ghost" data-testid="cancel-run" onClick={() => setConfirming(true)}>
        <CircleX className="size-3.5" aria-hidden />
        Cancel…
      </Button>
    );
  return (
    <span className="inline-flex flex-col items-end gap-1">
      <span className="inline-flex flex-wrap items-center justify-end gap-1.5">
        <Button
          size="sm"
          variant="danger"
          data-testid="confirm-cancel-run"
          disabled={cancel.isPending}
          onClick={confirm}
        >
          {cancel.isPending && <Spinner className="size-3.5 text-white" label="Cancelling" />}
          Cancel run
        </Button>
        <Button size="sm" variant="ghost" disabled={cancel.isPending} onClick={() => setConfirming(false)}>
          Keep
        </Button>
      </span>
      {error && (
        <span role="alert" className="text-xs text-red-700">
          {error}
        </span>
      )}
    </span>
  );
}
