import { LoaderCircle, RotateCw } from "lucide-react";
import { Badge, type Tone } from "@/components/ui/badge";

/** A run's status (server/materialization/run-row.ts has the life cycle). */
export type RunStatus = "queued" | "running" | "retrying" | "succeeded" | "failed" | "cancelled";

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
  return status === "queued" || status === "running" || status === "retrying";
}

/** A run's status with its color; running ones spin. */
export function RunStatusBadge({ status }: { status: string }) {
  const tone = TONE[status as RunStatus] ?? "gray";
  return (
    <Badge tone={tone} className="shrink-0">
      {status === "running" && <LoaderCircle className="size-3 animate-spin" aria-hidden />}
      {status === "retrying" && <RotateCw className="size-3" aria-hidden />}
      {status}
    </Badge>
  );
}
