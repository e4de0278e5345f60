"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/client";
import { ConfirmCancel } from "./confirm-cancel";

/**
 * "Cancel…" on a queued or running run, then a confirm step. A running run stops at its next batch
 * boundary; the list refreshes to show it cancelled.
 */
export function CancelRunButton({ project, runId }: { project: string; runId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const cancel = useMutation(trpc.jobs.cancel.mutationOptions());
  return (
    <ConfirmCancel
      what="run"
      testId="cancel-run"
      cancel={() =>
        cancel
          .mutateAsync({ project, runId })
          .finally(() => queryClient.invalidateQueries(trpc.jobs.pathFilter()))
      }
    />
  );
}
