import { LoaderCircle } from "lucide-react";
import { Badge, type Tone } from "@/components/ui/badge";

export type RunStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled";

const TONE: Record<RunStatus, Tone> = {
  queued: "gray",
  running: "blue",
  succeeded: "green",
  failed: "red",
  cancelled: "amber",
};

/** Queued and running runs still change; the others are final. */
export function isActiveStatus(status: string): boolean {
  return status === "queued" || status === "running";
}

/** A run's status with its color; running ones spin. */
export function RunStatusBadge({ status }: { status: string }) {
  const tone = TONE[status as RunStatus] ?? "gray";
  return (
    <Badge tone={tone} className="shrink-0">
      {status === "running" && <LoaderCircle className="size-3 animate-spin" aria-hidden />}
      {status}
    </Badge>
  );
}
