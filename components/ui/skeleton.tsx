import { LoaderCircle } from "lucide-react";
import { cn } from "./cn";

/** A grey pulsing block standing in for content: `<Skeleton className="h-4 w-32" />`. */
export function Skeleton({ className }: { className?: string }) {
  return <div aria-hidden className={cn("animate-pulse rounded bg-zinc-200/70", className)} />;
}

/** A spinning ring for in-flight work: `<Spinner className="size-4" />`. */
export function Spinner({ className, label = "Loading" }: { className?: string; label?: string }) {
  return (
    <LoaderCircle
      role="status"
      aria-label={label}
      className={cn("size-4 animate-spin text-zinc-400", className)}
    />
  );
}

const WIDTHS = ["w-3/4", "w-1/2", "w-2/3", "w-5/6", "w-1/3"];

/** Stable keys for n placeholder items (index keys are fine for lists that never reorder). */
export function slots(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `slot-${i}`);
}

/** A table-shaped skeleton: `<SkeletonTable rows={8} columns={5} />`. */
export function SkeletonTable({
  rows = 8,
  columns = 4,
  className,
}: {
  rows?: number;
  columns?: number;
  className?: string;
}) {
  return (
    <div
      role="status"
      aria-label="Loading"
      className={cn("overflow-clip rounded-lg border border-zinc-200 bg-white shadow-xs", className)}
    >
      <div className="flex gap-6 border-b border-zinc-200 bg-zinc-50 px-3 py-2.5">
        {slots(columns).map((c) => (
          <Skeleton key={c} className="h-3 flex-1 bg-zinc-200" />
        ))}
      </div>
      {slots(rows).map((r, ri) => (
        <div key={r} className="flex gap-6 border-b border-zinc-100 px-3 py-3 last:border-b-0">
          {slots(columns).map((c, ci) => (
            <div key={c} className="flex-1">
              <Skeleton className={cn("h-3.5", WIDTHS[(ri + ci) % WIDTHS.length])} />
            </div>
          ))}
        </div>
      ))}
    </div>
  );
}

/** Stands in for a PageHeader (title and one line of description). */
export function HeaderSkeleton() {
  return (
    <div className="mb-6 flex flex-col gap-2.5" aria-hidden>
      <Skeleton className="h-6 w-48" />
      <Skeleton className="h-4 w-96 max-w-full" />
    </div>
  );
}
