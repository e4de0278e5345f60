"use client";

import { ChevronDown } from "lucide-react";
import { type ReactNode, useId, useState } from "react";
import { cn } from "./cn";

/**
 * A panel that is always shown from the lg breakpoint (1024 px) up and folds behind a button below
 * it (e.g. the search facets on a phone): `<FoldBelowLg label="Filters">…</FoldBelowLg>`. The
 * children are laid out in a column with `gap-6`.
 */
export function FoldBelowLg({
  label,
  children,
  className,
}: {
  label: ReactNode;
  children: ReactNode;
  className?: string;
}) {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  return (
    <div className={className}>
      <button
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((o) => !o)}
        className="flex h-8 w-full items-center justify-between gap-2 rounded-md border border-zinc-300 bg-white px-3 text-sm font-medium text-zinc-800 shadow-xs hover:bg-zinc-50 focus-visible:outline-2 focus-visible:outline-indigo-500 lg:hidden"
      >
        {label}
        <ChevronDown
          className={cn("size-4 text-zinc-500 transition-transform", open && "rotate-180")}
          aria-hidden
        />
      </button>
      <div id={panelId} className={cn("flex-col gap-6 lg:flex", open ? "mt-4 flex lg:mt-0" : "hidden")}>
        {children}
      </div>
    </div>
  );
}
