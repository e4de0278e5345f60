"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { RotateCcw } from "lucide-react";
import { useState } from "react";
import { serverError } from "@/components/forms/form-errors";
import { Button } from "@/components/ui/button";
import { Spinner } from "@/components/ui/skeleton";
import { useTRPC } from "@/trpc/client";

/**
 * "Retry" on a failed run: queues a new run over the same window, linked to this one (no confirm
 * step: nothing is lost, and a run is retried at most once). The list refreshes to show the new
 * run; a refusal (someone retried it first, say) shows inline.
 */
export function RetryRunButton({ project, runId }: { project: string; runId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const retry = useMutation(trpc.jobs.retry.mutationOptions());
  const [error, setError] = useState<string | null>(null);

  function click() {
    setError(null);
    retry.mutate(
      { project, runId },
      {
        onError: (e) => setError(serverError(e).message),
        onSettled: () => queryClient.invalidateQueries(trpc.jobs.pathFilter()),
      },
    );
  }

  return (
    <span className="inline-flex flex-col items-end gap-1">
      <Button
        size="sm"
        variant="secondary"
        data-testid="retry-run"
        disabled={retry.isPending}
        onClick={click}
      >
        {retry.isPending ? (
          <Spinner className="size-3.5" label="Retrying" />
        ) : (
          <RotateCcw className="size-3.5" aria-hidden />
        )}
        Retry
      </Button>
      {error && (
        <span role="alert" className="text-xs text-red-700">
          {error}
        </span>
      )}
    </span>
  );
}
