"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/client";

/**
 * Starts a run or a backfill, then refreshes the runs so the new one shows and is polled. A runs
 * fetch still in flight began before the run was written: invalidating alone would keep its
 * answer as fresh (see jobs/materialize-panel.tsx), so it is cancelled first.
 */
export function useStartRun(project: string, name: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = async () => {
    const runs = trpc.transformations.runs.queryFilter({ project, name });
    await queryClient.cancelQueries(runs);
    await queryClient.invalidateQueries(runs);
    await queryClient.invalidateQueries(trpc.transformations.list.queryFilter({ project }));
  };
  const run = useMutation({ ...trpc.transformations.run.mutationOptions(), onSuccess: refresh });
  const backfill = useMutation({ ...trpc.transformations.backfill.mutationOptions(), onSuccess: refresh });
  return { run, backfill };
}
