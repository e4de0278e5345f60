"use client";

import { Check } from "lucide-react";
import { type ReactNode, useState } from "react";
import { cn } from "@/components/ui/cn";
import { formatCount, plural } from "@/components/ui/format";

export interface FacetCount {
  value: string;
  count: number;
}

interface FacetGroupProps {
  title: string;
  facets: FacetCount[];
  /** Values currently filtered on. */
  selected: string[];
  onToggle: (value: string) => void;
  /** How a value is shown (tags show their key muted). */
  render?: (value: string) => ReactNode;
  /** Rows shown before "Show all". */
  limit?: number;
  /** How many values the server left out (it sends the most frequent few). */
  more?: number;
  /** The number of hits: a selected value every hit carries, when the server did not list it. */
  total?: number;
}

/** One facet: values with counts, toggled by click; selected values first and ticked. */
export function FacetGroup({
  title,
  facets,
  selected,
  onToggle,
  render,
  limit = 6,
  more = 0,
  total = 0,
}: FacetGroupProps) {
  const [expanded, setExpanded] = useState(false);
  // A selected value missing from the counts stays visible so it can be cleared; every hit has it
  // (it is a filter), so its count is the total.
  const missing = selected
    .filter((s) => !facets.some((f) => f.value === s))
    .map((value) => ({ value, count: total }));
  const ordered = [
    ...missing,
    ...facets.filter((f) => selected.includes(f.value)),
    ...facets.filter((f) => !selected.includes(f.value)),
  ];
  const shown = expanded ? ordered : ordered.slice(0, Math.max(limit, selected.length));
  const hidden = ordered.length - shown.length;

  return (
    <section aria-label={title}>
      <h3 className="mb-1.5 px-2 text-[11px] font-medium tracking-wide text-zinc-400 uppercase">{title}</h3>
      {ordered.length === 0 ? (
        <p className="px-2 text-xs text-zinc-400">None</p>
      ) : (
        <ul className={cn("flex flex-col gap-px", expanded && "max-h-80 overflow-y-auto")}>
          {shown.map((f) => {
            const isOn = selected.includes(f.value);
            return (
              <li key={f.value}>
                <button
                  type="button"
                  aria-pressed={isOn}
                  onClick={() => onToggle(f.value)}
                  title={f.value}
                  className={cn(
                    "flex h-7 w-full items-center gap-2 rounded-md px-2 text-left text-[13px] transition-colors",
                    isOn ? "bg-indigo-50 text-indigo-900" : "text-zinc-700 hover:bg-zinc-100",
                  )}
                >
                  <span
                    className={cn(
                      "flex size-3.5 shrink-0 items-center justify-center rounded-[3px] border",
                      isOn ? "border-indigo-600 bg-indigo-600 text-white" : "border-zinc-300 bg-white",
                    )}
                    aria-hidden
                  >
                    {isOn && <Check className="size-2.5" strokeWidth={3} />}
                  </span>
                  <span className="min-w-0 flex-1 truncate">{render ? render(f.value) : f.value}</span>
                  {/* The name reads "driver, 12 features", not "driver12". */}
                  <span
                    className={cn(
                      "shrink-0 text-xs tabular-nums",
                      isOn ? "text-indigo-700" : "text-zinc-500",
                    )}
                    aria-hidden
                  >
                    {formatCount(f.count)}
                  </span>
                  <span className="sr-only">, {plural(f.count, "feature")}</span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
      {(hidden > 0 || expanded) && ordered.length > limit && (
        <button
          type="button"
          onClick={() => setExpanded((e) => !e)}
          className="mt-1 px-2 text-xs font-medium text-indigo-600 hover:text-indigo-500"
        >
          {expanded ? "Show fewer" : `Show all ${formatCount(ordered.length)}`}
        </button>
      )}
      {more > 0 && (
        <p className="mt-1 px-2 text-xs text-zinc-400" title="Search to narrow them down">
          {formatCount(more)} more
        </p>
      )}
    </section>
  );
}

/** "team:drivers" with the key muted. */
export function TagValue({ value }: { value: string }) {
  const i = value.indexOf(":");
  if (i < 0) return <>{value}</>;
  return (
    <>
      <span className="text-zinc-400">{value.slice(0, i)}:</span>
      {value.slice(i + 1)}
    </>
  );
}
