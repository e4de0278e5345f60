import { LoaderCircle, RotateCw } from "lucide-react";
import { Badge, type Tone } from "@/components/ui/badge";
import { isActiveRunStatus, isOneOf, RUN_STATUSES, type RunStatus } from "@/server/core/vocabulary";

/** A run's status (server/materialization/run-row.ts has the life cycle). */
export type { RunStatus };

const TONE: Record<RunStatus, Tone> = {
  queued: "gray",
  running: "blue",
  retrying: "violet",
  succeeded: "green",
  failed: "red",
  cancelled: "amber",
};

/** Queued, running and retrying runs still change (and may be cancelled); the others are final. */
export function isActiveStatus(status: string): boolean {
  return isActiveRunStatus(status);
}

/** A run's status with its color; running ones spin. */
export function RunStatusBadge({ status }: { status: string }) {
  const tone = isOneOf(RUN_STATUSES, status) ? TONE[status] : "gray";
  return (
    <Badge tone={tone} className="shrink-0">
      {status === "running" && <LoaderCircle className="size-3 animate-spin" aria-hidden />}
      {status === "retrying" && <RotateCw className="size-3" aria-hidden />}
      {status}
    </Badge>
  );
}
