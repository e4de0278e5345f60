"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { RotateCcw } from "lucide-react";
import { useState } from "react";
import { serverError } from "@/components/forms/form-errors";
import { Button } from "@/components/ui/button";
import { Spinner } from "@/components/ui/skeleton";
import { useTRPC, useTRPCClient } from "@/trpc/client";

/**
 * "Retry" on a failed run: queues a new run over the same window, linked to this one (no confirm
 * step: nothing is lost, and a run is retried at most once). The list refreshes to show the new
 * run; a refusal (someone retried it first, say) shows inline.
 */
export function RetryRunButton({
  project,
  runId,
  kind = "materialization",
}: {
  project: string;
  runId: string;
  /** Whose run: a materialization job's (jobs.retry) or a transformation's (transformations.retry). */
  kind?: "materialization" | "transformation";
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const client = useTRPCClient();
  const retry = useMutation({
    // Only a refusal matters here: the list refetches to show the new run.
    mutationFn: async (input: { project: string; runId: string }): Promise<void> => {
      if (kind === "transformation") await client.transformations.retry.mutate(input);
      else await client.jobs.retry.mutate(input);
    },
  });
  const [error, setError] = useState<string | null>(null);

  function click() {
    setError(null);
    retry.mutate(
      { project, runId },
      {
        onError: (e) => setError(serverError(e).message),
        onSettled: () =>
          queryClient.invalidateQueries(
            kind === "transformation" ? trpc.transformations.runs.pathFilter() : trpc.jobs.pathFilter(),
          ),
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
