"use client";

import { Badge } from "@/components/ui/badge";
import { RelativeTime } from "@/components/ui/relative-time";
import type { RouterOutputs } from "@/trpc/types";
import { utcMinute } from "./schedule-panel";

export type ScheduleRow = RouterOutputs["schedules"]["list"][number];

/** The freshness board's "Next run": — without a schedule, "paused", or when (relative; the rule and UTC on hover). */
export function NextRunCell({
  schedule,
}: {
  schedule: Pick<ScheduleRow, "paused" | "nextRunAt" | "description"> | null | undefined;
}) {
  if (!schedule) return <span className="text-zinc-400">—</span>;
  if (schedule.paused || !schedule.nextRunAt)
    return (
      <Badge tone="amber" title={schedule.description}>
        paused
      </Badge>
    );
  return (
    <span title={`${schedule.description}; next ${utcMinute(schedule.nextRunAt)}`}>
      <RelativeTime date={schedule.nextRunAt} className="whitespace-nowrap text-zinc-700" />
    </span>
  );
}
