"use client";

import { Menu, X } from "lucide-react";
import { usePathname } from "next/navigation";
import { type KeyboardEvent, type MouseEvent, type ReactNode, useEffect, useRef, useState } from "react";

const FOCUSABLE =
  'a[href], button:not([disabled]), select:not([disabled]), input:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

interface AppFrameProps {
  /** The navigation column: the same content on a desktop and in the phone drawer. */
  sidebar: ReactNode;
  /** What the phone top bar shows beside its menu button (the logo, linking home). */
  brand: ReactNode;
  /** Names the navigation dialog and its button. */
  label?: string;
  children: ReactNode;
}

/**
 * The app's frame: from md (768 px) up the sidebar is a sticky column on the left; below md a top
 * bar with a menu button opens it as a modal drawer (a native <dialog>: focus stays inside, Escape
 * and a click on the backdrop close it, and so does following any of its links). The page renders
 * in <main id="main">, the target of the skip link (app/layout.tsx).
 */
export function AppFrame({ sidebar, brand, label = "Navigation", children }: AppFrameProps) {
  return (
    <div className="min-h-screen bg-white md:flex">
      <div className="sticky top-0 z-30 flex h-14 items-center gap-2 border-b border-zinc-200 bg-white px-3 md:hidden">
        <Drawer label={label}>{sidebar}</Drawer>
        {brand}
      </div>
      <aside className="sticky top-0 hidden h-screen w-60 shrink-0 flex-col border-r border-zinc-200 bg-zinc-50 md:flex">
        {sidebar}
      </aside>
      <main id="main" tabIndex={-1} className="min-w-0 flex-1 focus:outline-none">
        {children}
      </main>
    </div>
  );
}

function Drawer({ label, children }: { label: string; children: ReactNode }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [open, setOpen] = useState(false);
  const pathname = usePathname();

  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);

  // A navigation (a link, the project switcher, back/forward) closes the drawer.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on each new pathname
  useEffect(() => {
    setOpen(false);
  }, [pathname]);

  // A modal dialog already keeps Tab out of the page behind it; wrapping from the last control to
  // the first (and back) keeps it out of the browser's own controls too.
  function onKeyDown(e: KeyboardEvent<HTMLDialogElement>) {
    if (e.key !== "Tab" || !dialog.current) return;
    const focusable = [...dialog.current.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
      (el) => el.offsetParent !== null || el === document.activeElement,
    );
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (!first || !last) return;
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  }

  function onClick(e: MouseEvent<HTMLDialogElement>) {
    const target = e.target as Element;
    // The dialog box itself is only hit on its backdrop: its panel fills it.
    if (target === dialog.current || target.closest("a[href]")) setOpen(false);
  }

  return (
    <>
      <button
        type="button"
        onClick={() => setOpen(true)}
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-label={`Open ${label.toLowerCase()}`}
        className="flex size-9 items-center justify-center rounded-md text-zinc-700 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-indigo-500"
      >
        <Menu className="size-5" aria-hidden />
      </button>
      <dialog
        ref={dialog}
        aria-label={label}
        onClose={() => setOpen(false)}
        onClick={onClick}
        onKeyDown={onKeyDown}
        className="m-0 h-dvh max-h-none w-72 max-w-[85vw] bg-transparent p-0 backdrop:bg-black/40"
      >
        {open && (
          <div className="relative flex h-full flex-col border-r border-zinc-200 bg-zinc-50 shadow-xl">
            <button
              type="button"
              onClick={() => setOpen(false)}
              aria-label={`Close ${label.toLowerCase()}`}
              className="absolute top-2.5 right-2 z-10 flex size-9 items-center justify-center rounded-md text-zinc-600 hover:bg-zinc-200/60 focus-visible:outline-2 focus-visible:outline-indigo-500"
            >
              <X className="size-5" aria-hidden />
            </button>
            {children}
          </div>
        )}
      </dialog>
    </>
  );
}
