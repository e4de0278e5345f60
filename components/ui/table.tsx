import type { ComponentProps } from "react";
import { cn } from "./cn";

/**
 * A data table: `<Table><THead><tr><TH>Name</TH></tr></THead><TBody><TR><TD>…</TD></TR></TBody></Table>`.
 * Fixed layout (give TH widths like `className="w-40"`), header sticks to the top of the page while
 * scrolling, rows highlight on hover. Put long text in <Truncate> so it never widens a column.
 */
export function Table({ className, children, ...props }: ComponentProps<"table">) {
  // overflow-clip (not hidden) rounds the corners without becoming a scroll container, so the
  // header can still stick to the page.
  return (
    <div className="overflow-clip rounded-lg border border-zinc-200 bg-white shadow-xs">
      <table
        className={cn("w-full table-fixed border-separate border-spacing-0 text-sm", className)}
        {...props}
      >
        {children}
      </table>
    </div>
  );
}

/** Table head; its cells stick to the top of the viewport. */
export function THead({ className, ...props }: ComponentProps<"thead">) {
  return <thead className={cn("sticky top-0 z-10", className)} {...props} />;
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

/** A body cell, vertically centred. */
export function TD({ className, ...props }: ComponentProps<"td">) {
  return (
    <td
      className={cn("border-b border-zinc-100 px-3 py-2 align-middle text-zinc-700", className)}
      {...props}
    />
  );
}
