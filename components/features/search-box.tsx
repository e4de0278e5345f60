"use client";

import { Search, X } from "lucide-react";
import { useEffect, useRef } from "react";
import { cn } from "@/components/ui/cn";
import { Spinner } from "@/components/ui/skeleton";

interface SearchBoxProps {
  value: string;
  onChange: (value: string) => void;
  busy?: boolean;
  placeholder?: string;
  className?: string;
}

/** The big search field; "/" focuses it from anywhere on the page, Escape clears it. */
export function SearchBox({ value, onChange, busy, placeholder, className }: SearchBoxProps) {
  const ref = useRef<HTMLInputElement>(null);

  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      const target = e.target as HTMLElement | null;
      const typing = target?.closest("input, textarea, select, [contenteditable=true]");
      if (e.key === "/" && !typing && !e.metaKey && !e.ctrlKey) {
        e.preventDefault();
        ref.current?.focus();
      }
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  return (
    <div className={cn("relative", className)}>
      <Search
        className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-zinc-400"
        aria-hidden
      />
      <input
        ref={ref}
        type="search"
        aria-label="Search features"
        value={value}
        placeholder={placeholder}
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Escape" && value) {
            e.preventDefault();
            onChange("");
          }
        }}
        autoComplete="off"
        spellCheck={false}
        className={cn(
          "h-10 w-full rounded-lg border border-zinc-300 bg-white pr-16 pl-9 text-sm text-zinc-900 shadow-xs",
          "placeholder:text-zinc-400 focus:border-indigo-500 focus:outline-3 focus:outline-indigo-500/15",
          "[&::-webkit-search-cancel-button]:hidden",
        )}
      />
      <div className="absolute top-1/2 right-2.5 flex -translate-y-1/2 items-center gap-2">
        {busy && <Spinner label="Searching" />}
        {value ? (
          <button
            type="button"
            onClick={() => {
              onChange("");
              ref.current?.focus();
            }}
            className="rounded p-0.5 text-zinc-400 hover:bg-zinc-100 hover:text-zinc-700"
            aria-label="Clear search"
          >
            <X className="size-4" aria-hidden />
          </button>
        ) : (
          <kbd className="rounded border border-zinc-200 bg-zinc-50 px-1.5 font-mono text-[11px] text-zinc-400">
            /
          </kbd>
        )}
      </div>
    </div>
  );
}
