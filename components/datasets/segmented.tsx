"use client";

import type { LucideIcon } from "lucide-react";
import { useId } from "react";
import { cn } from "@/components/ui/cn";

interface SegmentedProps<T extends string> {
  /** The group's label (shown above it). */
  label: string;
  value: T;
  onChange: (value: T) => void;
  options: { value: T; label: string; icon?: LucideIcon }[];
  disabled?: boolean;
}

/** A radio group drawn as joined buttons: one choice out of a few, each a native radio. */
export function Segmented<T extends string>({
  label,
  value,
  onChange,
  options,
  disabled,
}: SegmentedProps<T>) {
  const name = useId();
  return (
    <fieldset className="flex min-w-0 flex-col gap-1.5" disabled={disabled}>
      <legend className="mb-1.5 text-sm font-medium text-zinc-800">{label}</legend>
      <div className="inline-flex max-w-full flex-wrap gap-1 self-start rounded-lg bg-zinc-100 p-1">
        {options.map((o) => {
          const Icon = o.icon;
          return (
            <label
              key={o.value}
              className={cn(
                "inline-flex cursor-pointer items-center gap-1.5 rounded-md px-3 py-1 text-sm font-medium transition-colors",
                "has-focus-visible:outline-2 has-focus-visible:outline-indigo-500 has-disabled:cursor-not-allowed",
                value === o.value
                  ? "bg-white text-zinc-900 shadow-xs ring-1 ring-zinc-200"
                  : "text-zinc-600 hover:text-zinc-900",
              )}
            >
              <input
                type="radio"
                name={name}
                value={o.value}
                checked={value === o.value}
                onChange={() => onChange(o.value)}
                className="sr-only"
              />
              {Icon && <Icon className="size-4" aria-hidden />}
              {o.label}
            </label>
          );
        })}
      </div>
    </fieldset>
  );
}
