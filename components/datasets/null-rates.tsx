import { cn } from "@/components/ui/cn";
import { Truncate } from "@/components/ui/truncate";
import { formatPercent } from "./format";

/** Feature columns by null share, highest first (ties by name), for the null rate list. */
export function sortedNullRates(rates: Record<string, number>): [string, number][] {
  return Object.entries(rates).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
}

/**
 * The share of null values per feature column, a bar each: a feature that is mostly null usually
 * means entity rows outside its data or its ttl.
 */
export function NullRates({ rates }: { rates: Record<string, number> }) {
  const sorted = sortedNullRates(rates);
  if (sorted.length === 0) return <p className="text-sm text-zinc-500">No feature columns.</p>;
  return (
    <ul className="flex flex-col gap-2" aria-label="Null rate per feature" data-testid="null-rates">
      {sorted.map(([feature, share]) => (
        <li
          key={feature}
          data-testid="null-rate"
          data-feature={feature}
          className="grid grid-cols-[minmax(0,1fr)_auto] items-center gap-x-3 gap-y-1 text-sm sm:grid-cols-[minmax(0,1fr)_minmax(2.5rem,6rem)_3.25rem]"
        >
          <Truncate text={feature} mono className="text-zinc-800" />
          {/* The percentage says the same for screen readers; on a phone the bar has a line of its own. */}
          <div
            className="h-2 overflow-hidden rounded-full bg-zinc-100 max-sm:order-last max-sm:col-span-2"
            aria-hidden
          >
            <div
              className={cn(
                "h-full rounded-full",
                share >= 0.5 ? "bg-red-400" : share >= 0.1 ? "bg-amber-400" : "bg-emerald-400",
              )}
              style={{ width: `${share > 0 ? Math.max(2, share * 100) : 0}%` }}
            />
          </div>
          <span
            className={cn("text-right text-xs tabular-nums", share >= 0.5 ? "text-red-700" : "text-zinc-600")}
          >
            {formatPercent(share)}
          </span>
        </li>
      ))}
    </ul>
  );
}
