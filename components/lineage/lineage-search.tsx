"use client";

import { useQuery } from "@tanstack/react-query";
import clsx from "clsx";
import { Search } from "lucide-react";
import { type KeyboardEvent, useEffect, useId, useState } from "react";
import { Input } from "@/components/ui/input";
import { useTRPC } from "@/trpc/client";
import { KIND_STYLE } from "./kinds";

/** Time typing may pause before the search is sent. */
const DEBOUNCE_MS = 150;

/**
 * Find a node in the project's lineage by name (lineage.search, on the server: the page never
 * holds the whole graph) and focus on it: a combobox whose options are the best matches.
 */
export function LineageSearchBox({ project, onPick }: { project: string; onPick: (id: string) => void }) {
  const trpc = useTRPC();
  const [text, setText] = useState("");
  const [q, setQ] = useState("");
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const listId = useId();

  useEffect(() => {
    const t = setTimeout(() => setQ(text.trim()), DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [text]);

  const query = useQuery({
    ...trpc.lineage.search.queryOptions({ project, q, limit: 12 }),
    enabled: q.length > 0,
    placeholderData: (prev) => prev,
  });
  const hits = q.length > 0 ? (query.data?.hits ?? []) : [];

  const pick = (id: string) => {
    setOpen(false);
    setText("");
    onPick(id);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "ArrowDown") {
      e.preventDefault();
      setOpen(true);
      setActive((i) => Math.min(i + 1, hits.length - 1));
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      setActive((i) => Math.max(i - 1, 0));
    } else if (e.key === "Enter") {
      const hit = hits[active];
      if (hit) {
        e.preventDefault();
        pick(hit.id);
      }
    } else if (e.key === "Escape") setOpen(false);
  };

  return (
    <div className="relative w-72">
      <Search className="pointer-events-none absolute top-2 left-2 size-4 text-zinc-400" aria-hidden />
      <Input
        type="search"
        role="combobox"
        aria-label="Find a node in the lineage"
        aria-expanded={open && hits.length > 0}
        aria-controls={listId}
        aria-activedescendant={open && hits[active] ? `${listId}-${active}` : undefined}
        aria-autocomplete="list"
        placeholder="Find a node by name…"
        className="w-full pl-8"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setActive(0);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={onKeyDown}
      />
      {open && q.length > 0 && (
        <div
          id={listId}
          role="listbox"
          aria-label="Matching nodes"
          className="absolute z-20 mt-1 max-h-80 w-[28rem] overflow-auto rounded-md border border-zinc-200 bg-white py-1 text-sm shadow-lg"
        >
          {hits.length === 0 ? (
            <div className="px-3 py-1.5 text-zinc-500">
              {query.isFetching ? "Searching…" : `No node matches "${q}"`}
            </div>
          ) : (
            hits.map((h, i) => (
              <div
                key={h.id}
                id={`${listId}-${i}`}
                role="option"
                tabIndex={-1}
                aria-selected={i === active}
                className={clsx(
                  "flex cursor-pointer items-center gap-2 px-3 py-1.5",
                  i === active ? "bg-sky-50" : "hover:bg-zinc-50",
                )}
                // mousedown, before the input's blur closes the list
                onMouseDown={(e) => {
                  e.preventDefault();
                  pick(h.id);
                }}
              >
                <span
                  className={clsx(
                    "shrink-0 rounded px-1.5 py-0.5 text-[10px] font-semibold uppercase",
                    KIND_STYLE[h.kind].badge,
                  )}
                >
                  {KIND_STYLE[h.kind].label}
                </span>
                <span className="truncate">{h.label}</span>
              </div>
            ))
          )}
        </div>
      )}
    </div>
  );
}
