"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import {
  Activity,
  Bot,
  Boxes,
  Calculator,
  Database,
  KeyRound,
  Layers,
  type LucideIcon,
  Rows3,
  Search,
  SearchX,
  Sheet,
  Workflow,
} from "lucide-react";
import { useRouter } from "next/navigation";
import { type KeyboardEvent, useEffect, useId, useRef, useState } from "react";
import { type ObjectKind, objectHref } from "@/components/catalog/links";
import { cn } from "@/components/ui/cn";
import { Spinner } from "@/components/ui/skeleton";
import { useTRPC } from "@/trpc/client";

/** How long typing pauses before the palette asks the server. */
const DEBOUNCE_MS = 150;

const KINDS: Record<ObjectKind, { label: string; icon: LucideIcon }> = {
  feature: { label: "Feature", icon: Rows3 },
  view: { label: "Feature view", icon: Layers },
  entity: { label: "Entity", icon: KeyRound },
  source: { label: "Source", icon: Database },
  service: { label: "Service", icon: Boxes },
  consumer: { label: "Consumer", icon: Bot },
  dataset: { label: "Dataset", icon: Sheet },
  transformation: { label: "Transformation", icon: Workflow },
  on_demand_view: { label: "On-demand view", icon: Calculator },
  stream_view: { label: "Stream view", icon: Activity },
};

/** A feature's label when its view is not a feature view (it links to that view's page). */
const FEATURE_OF = { on_demand_view: "On-demand feature", stream_view: "Stream feature" } as const;

/**
 * ⌘K / Ctrl+K anywhere in a project, or the button it renders: a modal combobox that finds any
 * registry object by name (search.objects) and goes to its page. Arrow keys move, Enter goes,
 * Escape closes; the list is an ARIA listbox driven by aria-activedescendant, so focus stays in
 * the field.
 */
export function CommandPalette({ project }: { project: string }) {
  const [open, setOpen] = useState(false);
  // Set once the shortcut listens: before hydration ⌘K does nothing (the e2e suite waits on it).
  const [listening, setListening] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    function onKey(e: globalThis.KeyboardEvent) {
      if ((e.metaKey || e.ctrlKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === "k") {
        e.preventDefault();
        setOpen(true);
      }
    }
    window.addEventListener("keydown", onKey);
    setListening(true);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);

  return (
    <>
      <button
        type="button"
        onClick={() => setOpen(true)}
        aria-keyshortcuts="Meta+K Control+K"
        data-shortcut={listening ? "on" : undefined}
        className="flex h-8 w-full items-center gap-2 rounded-md border border-zinc-200 bg-white px-2 text-sm text-zinc-500 shadow-xs hover:border-zinc-300 hover:text-zinc-700 focus-visible:outline-2 focus-visible:outline-indigo-500"
      >
        <Search className="size-4 text-zinc-400" aria-hidden />
        <span className="flex-1 text-left">Go to…</span>
        <kbd className="rounded border border-zinc-200 bg-zinc-50 px-1 font-mono text-[11px] text-zinc-400">
          ⌘K
        </kbd>
      </button>
      {/* biome-ignore lint/a11y/useKeyWithClickEvents: the click is the backdrop's; Escape closes a modal dialog natively */}
      <dialog
        ref={dialog}
        aria-label="Go to an object"
        onClose={() => setOpen(false)}
        onClick={(e) => {
          // A click on the backdrop (the dialog element itself, outside its panel) closes it.
          if (e.target === e.currentTarget) setOpen(false);
        }}
        className="m-0 mx-auto mt-[12vh] w-[min(36rem,calc(100vw-2rem))] rounded-xl border border-zinc-200 bg-white p-0 shadow-2xl backdrop:bg-zinc-900/30"
      >
        {open && <Palette project={project} onDone={() => setOpen(false)} />}
      </dialog>
    </>
  );
}

/** The field and its results; mounted only while open, so each opening starts empty. */
function Palette({ project, onDone }: { project: string; onDone: () => void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const listId = useId();
  const [text, setText] = useState("");
  const [q, setQ] = useState("");
  const [active, setActive] = useState(0);

  useEffect(() => {
    const timer = setTimeout(() => setQ(text.trim()), DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text]);

  const query = useQuery({
    ...trpc.search.objects.queryOptions({ project, q }),
    enabled: q !== "",
    placeholderData: keepPreviousData,
  });
  const items = q ? (query.data?.items ?? []) : [];
  const current = Math.min(active, Math.max(items.length - 1, 0));
  const optionId = (i: number) => `${listId}-${i}`;

  function go(i: number) {
    const item = items[i];
    if (!item) return;
    onDone();
    router.push(objectHref(project, item.kind, item.name, item.viewKind));
  }

  function onKeyDown(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (!items.length) return;
      const step = e.key === "ArrowDown" ? 1 : -1;
      setActive((current + step + items.length) % items.length);
    } else if (e.key === "Enter") {
      e.preventDefault();
      go(current);
    } else if (e.key === "Escape") {
      e.preventDefault();
      onDone();
    }
  }

  // Keep the active option in view as the arrows move it.
  useEffect(() => {
    document.getElementById(`${listId}-${current}`)?.scrollIntoView({ block: "nearest" });
  }, [current, listId]);

  const settled = text.trim() === q && !query.isFetching;
  return (
    <div>
      <div className="flex items-center gap-2 border-b border-zinc-200 px-3">
        <Search className="size-4 shrink-0 text-zinc-400" aria-hidden />
        <input
          // biome-ignore lint/a11y/noAutofocus: the palette exists to be typed into at once
          autoFocus
          role="combobox"
          aria-label="Object name"
          aria-expanded={items.length > 0}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={items.length ? optionId(current) : undefined}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setActive(0);
          }}
          onKeyDown={onKeyDown}
          placeholder="Jump to a feature, view, entity, source, service…"
          autoComplete="off"
          spellCheck={false}
          maxLength={200}
          className="h-12 min-w-0 flex-1 bg-transparent text-sm text-zinc-900 outline-none placeholder:text-zinc-400"
        />
        {q && query.isFetching && <Spinner label="Searching" />}
      </div>
      <div id={listId} role="listbox" aria-label="Objects" className="max-h-80 overflow-y-auto p-1.5">
        {items.map((item, i) => {
          const { label: kindLabel, icon: Icon } = KINDS[item.kind];
          const label = item.viewKind && item.viewKind !== "view" ? FEATURE_OF[item.viewKind] : kindLabel;
          return (
            // biome-ignore lint/a11y/useKeyWithClickEvents: keys are handled by the combobox field (aria-activedescendant)
            <div
              key={`${item.kind}:${item.name}`}
              id={optionId(i)}
              role="option"
              tabIndex={-1}
              aria-selected={i === current}
              onMouseMove={() => setActive(i)}
              onClick={() => go(i)}
              className={cn(
                "flex h-9 cursor-pointer items-center gap-2.5 rounded-md px-2 text-sm",
                i === current ? "bg-indigo-50 text-indigo-900" : "text-zinc-700",
              )}
            >
              <Icon className="size-4 shrink-0 text-zinc-400" aria-hidden />
              <span className="min-w-0 flex-1 truncate font-mono text-[13px]">{item.name}</span>
              {item.deprecated && <span className="text-xs text-amber-700">deprecated</span>}
              <span className="shrink-0 text-xs text-zinc-400">{label}</span>
            </div>
          );
        })}
      </div>
      <div aria-live="polite" className="px-4 pb-3 text-sm text-zinc-500 empty:hidden">
        {!text.trim() ? (
          <p className="pt-1">Type a name; typos are fine. ↑ ↓ to choose, Enter to go, Esc to close.</p>
        ) : query.isError ? (
          <p className="pt-1 text-red-700">Search failed: {query.error.message}</p>
        ) : settled && query.data && items.length === 0 ? (
          <p className="flex items-center gap-2 pt-1">
            <SearchX className="size-4 text-zinc-400" aria-hidden />
            No objects match “{q}”.
          </p>
        ) : null}
      </div>
    </div>
  );
}
