"use client";

import { type QueryClient, useQuery } from "@tanstack/react-query";
import { href } from "@/components/catalog/links";
import { jobsHref } from "@/components/jobs/jobs-params";
import type { ScheduleKind } from "@/server/core/vocabulary";
import { useTRPC, useTRPCClient } from "@/trpc/client";
import type { RouterOutputs } from "@/trpc/types";

/**
 * What a schedule fires (docs/adr/0031): a feature view's incremental materialization, or a batch
 * transformation's run. The schedule card and editor speak to either through this one seam, so
 * they are not copied per kind.
 */
export type ScheduleTarget = { featureView: string } | { transformation: string };

type ViewDetail = RouterOutputs["schedules"]["get"];
/** The schedule fields every target shares (the target's name is the caller's). */
export type TargetSchedule = Omit<NonNullable<ViewDetail["schedule"]>, "featureView">;
export interface TargetScheduleDetail {
  schedule: TargetSchedule | null;
  ticks: ViewDetail["ticks"];
}
export type ScheduleRuleInput =
  | { kind: Extract<ScheduleKind, "every">; everyMinutes: number }
  | { kind: Extract<ScheduleKind, "cron">; cron: string; timeZone: string };

/** The target's name, for labels. */
export function targetName(target: ScheduleTarget): string {
  return "featureView" in target ? target.featureView : target.transformation;
}

/** Where a tick's run is shown: the view's runs on the jobs page, or the transformation's page. */
export function runHref(project: string, target: ScheduleTarget, runId: string): string {
  return "featureView" in target
    ? `${jobsHref(project, target.featureView)}#run-${runId}`
    : `${href.transformation(project, target.transformation)}#run-${runId}`;
}

/** The target's schedule query and its four writes, each through the target's own operations. */
export function useScheduleApi(project: string, target: ScheduleTarget, refetchMs: number) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const view = "featureView" in target ? target.featureView : undefined;
  const tx = "transformation" in target ? target.transformation : undefined;
  const detail = useQuery<TargetScheduleDetail>({
    queryKey:
      tx !== undefined
        ? trpc.transformations.getSchedule.queryKey({ project, transformation: tx })
        : trpc.schedules.get.queryKey({ project, featureView: view ?? "" }),
    queryFn: () =>
      tx !== undefined
        ? client.transformations.getSchedule.query({ project, transformation: tx })
        : client.schedules.get.query({ project, featureView: view ?? "" }),
    refetchInterval: (q) => (q.state.data?.schedule && !q.state.data.schedule.paused ? refetchMs : false),
  });
  // The writes' answers differ by target (featureView or transformation); the card only refetches.
  const writes: Record<"pause" | "resume" | "remove", () => Promise<unknown>> & {
    set: (rule: ScheduleRuleInput) => Promise<unknown>;
  } = {
    set: (rule: ScheduleRuleInput) =>
      tx !== undefined
        ? client.transformations.setSchedule.mutate({ project, transformation: tx, ...rule })
        : client.schedules.set.mutate({ project, featureView: view ?? "", ...rule }),
    pause: () =>
      tx !== undefined
        ? client.transformations.pauseSchedule.mutate({ project, transformation: tx })
        : client.schedules.pause.mutate({ project, featureView: view ?? "" }),
    resume: () =>
      tx !== undefined
        ? client.transformations.resumeSchedule.mutate({ project, transformation: tx })
        : client.schedules.resume.mutate({ project, featureView: view ?? "" }),
    remove: () =>
      tx !== undefined
        ? client.transformations.deleteSchedule.mutate({ project, transformation: tx })
        : client.schedules.delete.mutate({ project, featureView: view ?? "" }),
  };
  /** After a write: the schedule, and the lists that show next runs. */
  const invalidate = (queryClient: QueryClient) =>
    Promise.all([
      queryClient.invalidateQueries(trpc.schedules.pathFilter()),
      queryClient.invalidateQueries(trpc.transformations.getSchedule.pathFilter()),
      queryClient.invalidateQueries(trpc.transformations.schedules.pathFilter()),
    ]);
  /** A tick started a run: the runs and freshness it changes. */
  const invalidateRuns = (queryClient: QueryClient) =>
    Promise.all(
      tx !== undefined
        ? [
            queryClient.invalidateQueries(trpc.transformations.runs.pathFilter()),
            queryClient.invalidateQueries(trpc.transformations.get.pathFilter()),
          ]
        : [
            queryClient.invalidateQueries(trpc.jobs.pathFilter()),
            queryClient.invalidateQueries(trpc.freshness.pathFilter()),
          ],
    );
  return { detail, writes, invalidate, invalidateRuns };
}
