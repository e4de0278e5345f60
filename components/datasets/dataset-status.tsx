import { LoaderCircle } from "lucide-react";
import { Badge, type Tone } from "@/components/ui/badge";
import { cn } from "@/components/ui/cn";
import { formatCount } from "@/components/ui/format";
import { DATASET_STATUSES, type DatasetStatus, isOneOf } from "@/server/core/vocabulary";
import { buildProgress } from "./format";

const TONE: Record<DatasetStatus, Tone> = {
  queued: "gray",
  building: "blue",
  ready: "green",
  failed: "red",
  cancelled: "amber",
};

/** A dataset's status with its color, as run statuses look; a building one spins. */
export function DatasetStatusBadge({ status }: { status: string }) {
  const tone = isOneOf(DATASET_STATUSES, status) ? TONE[status] : "gray";
  return (
    <Badge tone={tone} className="shrink-0">
      {status === "building" && <LoaderCircle className="size-3 animate-spin" aria-hidden />}
      <span data-testid="dataset-status">{status}</span>
    </Badge>
  );
}

interface ProgressProps {
  rowsDone: number;
  rowsTotal: number | null;
  className?: string;
}

/** A thin bar of rows built out of the total; an indeterminate stripe while the total is unknown. */
export function BuildProgressBar({ rowsDone, rowsTotal, className }: ProgressProps) {
  const share = buildProgress({ rowsDone, rowsTotal });
  const label =
    rowsTotal === null
      ? `${formatCount(rowsDone)} rows built`
      : `${formatCount(rowsDone)} of ${formatCount(rowsTotal)} rows built`;
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={rowsTotal ?? undefined}
      aria-valuenow={rowsTotal === null ? undefined : rowsDone}
      title={label}
      className={cn("h-1.5 w-full overflow-hidden rounded-full bg-zinc-200", className)}
    >
      <div
        className={cn("h-full rounded-full bg-sky-500 transition-[width]", share === null && "animate-pulse")}
        style={{ width: `${share === null ? 33 : Math.max(2, share * 100)}%` }}
      />
    </div>
  );
}
