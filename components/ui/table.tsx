"use client";

import { type ComponentProps, useEffect, useLayoutEffect, useRef, useState } from "react";
import { cn } from "./cn";
import { fitColumns, resetColumns } from "./fit-columns";

/**
 * How a table fits a phone (below the md breakpoint, 768 px): "scroll" (default) scrolls sideways
 * inside its frame with the first column kept in view; "cards" stacks each row as a card whose cells
 * show their column's name (give each TD a `label`). The page itself never scrolls sideways.
 */
export type TableMobile = "scroll" | "cards";

/**
 * A data table: `<Table><THead><tr><TH>Name</TH></tr></THead><TBody><TR><TD>…</TD></TR></TBody></Table>`.
 * Fixed layout (give TH widths like `className="w-40"`; from md up a column whose <Truncate> text is
 * cut borrows room from columns that do not need theirs), header sticks to the top of the page while
 * scrolling (from md up), rows highlight on hover. Put long text in <Truncate> so it never widens a
 * column. The small-screen styles are in app/globals.css (.table-scroll, .table-cards).
 */
export function Table({
  className,
  children,
  mobile = "scroll",
  ...props
}: ComponentProps<"table"> & { mobile?: TableMobile }) {
  // From md up overflow-clip (not hidden) rounds the corners without becoming a scroll container,
  // so the header can still stick to the page; below md a "scroll" frame scrolls sideways itself,
  // and while it does it takes keyboard focus so arrow keys can scroll it.
  const frame = useRef<HTMLDivElement>(null);
  const [scrolls, setScrolls] = useState(false);
  useEffect(() => {
    const el = frame.current;
    if (!el || mobile !== "scroll") return;
    const measure = () => setScrolls(el.scrollWidth > el.clientWidth + 1);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [mobile]);
  // From md up, cut text borrows width from columns with room to spare (fit-columns.ts), again
  // when the frame's width or the rows change.
  const table = useRef<HTMLTableElement>(null);
  useLayoutEffect(() => {
    const el = table.current;
    const box = frame.current;
    if (!el || !box) return;
    const wide = window.matchMedia("(min-width: 48rem)");
    let frameId = 0;
    let lastWidth = -1;
    const apply = () => {
      cancelAnimationFrame(frameId);
      if (wide.matches) fitColumns(el);
      else resetColumns(el);
    };
    const later = () => {
      cancelAnimationFrame(frameId);
      frameId = requestAnimationFrame(apply);
    };
    apply();
    const resized = new ResizeObserver(() => {
      if (box.clientWidth === lastWidth) return;
      lastWidth = box.clientWidth;
      later();
    });
    resized.observe(box);
    // Rows and their text only: the widths this sets are attribute changes of the header.
    const changed = new MutationObserver(later);
    for (const body of el.tBodies)
      changed.observe(body, { childList: true, subtree: true, characterData: true });
    return () => {
      cancelAnimationFrame(frameId);
      resized.disconnect();
      changed.disconnect();
    };
  }, []);
  return (
    <div
      ref={frame}
      tabIndex={scrolls ? 0 : undefined}
      className={cn(
        // relative: the frame is the containing block of absolutely placed cells' content (sr-only
        // labels), so its overflow clips them too instead of widening the page.
        "relative rounded-lg border border-zinc-200 bg-white shadow-xs md:overflow-clip",
        mobile === "scroll" ? "table-scroll max-md:overflow-x-auto" : "table-cards max-md:overflow-clip",
        "focus-visible:outline-2 focus-visible:outline-indigo-500",
      )}
    >
      <table
        ref={table}
        className={cn("w-full table-fixed border-separate border-spacing-0 text-sm", className)}
        {...props}
      >
        {children}
      </table>
    </div>
  );
}

/** Table head; its cells stick to the top of the viewport (from md up). */
export function THead({ className, ...props }: ComponentProps<"thead">) {
  return <thead className={cn("md:sticky md:top-0 md:z-10", className)} {...props} />;
}

/** A header cell: small, muted, left-aligned. */
export function TH({ className, ...props }: ComponentProps<"th">) {
  return (
    <th
      scope="col"
      className={cn(
        "border-b border-zinc-200 bg-zinc-50/95 px-3 py-2 text-left text-xs font-medium whitespace-nowrap text-zinc-500 backdrop-blur",
        className,
      )}
      {...props}
    />
  );
}

export function TBody(props: ComponentProps<"tbody">) {
  return <tbody {...props} />;
}

/** A body row: hover tint, a hairline between rows. */
export function TR({ className, ...props }: ComponentProps<"tr">) {
  return <tr className={cn("group hover:bg-zinc-50 [&:last-child>td]:border-b-0", className)} {...props} />;
}

/**
 * A body cell, vertically centred. `label` names its column on a "cards" table's phone layout
 * (shown before the value; the real header stays for screen readers).
 */
export function TD({ className, label, ...props }: ComponentProps<"td"> & { label?: string }) {
  return (
    <td
      data-label={label}
      className={cn("border-b border-zinc-100 px-3 py-2 align-middle text-zinc-700", className)}
      {...props}
    />
  );
}
