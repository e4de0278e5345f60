import { cn } from "@/components/ui/cn";

export interface PreviewColumn {
  name: string;
  type?: string;
  /** Key columns are tinted; the rest are plain. */
  role?: "key" | "time" | "feature";
}

/** A value as one line of text: null dimmed by the caller, objects as JSON. */
export function valueText(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

/**
 * Rows as a grid whose box scrolls (never the page): the header with each column's type sticks,
 * long values are cut with the full text as tooltip, nulls are dimmed.
 */
export function PreviewTable({
  columns,
  rows,
  label,
  cell,
}: {
  columns: PreviewColumn[];
  rows: unknown[][];
  label: string;
  /** Renders a cell instead of its text (the online preview adds statuses). */
  cell?: (value: unknown, row: number, column: number) => React.ReactNode;
}) {
  return (
    <section
      className="max-h-[26rem] overflow-auto rounded-lg border border-zinc-200 bg-white"
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable.
      tabIndex={0}
      aria-label={label}
    >
      <table className="min-w-full border-separate border-spacing-0 text-[13px]" data-testid="preview-table">
        <thead className="sticky top-0 z-10">
          <tr>
            {columns.map((c, i) => (
              <th
                // Query sources may repeat a column name.
                // biome-ignore lint/suspicious/noArrayIndexKey: see above.
                key={i}
                scope="col"
                className={cn(
                  "border-b border-zinc-200 px-3 py-1.5 text-left align-bottom font-medium whitespace-nowrap",
                  c.role === "key" ? "bg-indigo-50 text-indigo-800" : "bg-zinc-50 text-zinc-700",
                )}
              >
                <span className="block font-mono text-xs">{c.name}</span>
                {c.type && (
                  // Muted zinc does not read on a key column's indigo in dark mode.
                  <span
                    className={cn(
                      "block text-[11px] font-normal",
                      c.role === "key" ? "text-indigo-700" : "text-zinc-400",
                    )}
                  >
                    {c.type}
                  </span>
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, r) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their position.
            <tr key={r} data-testid="preview-row" className="hover:bg-zinc-50">
              {columns.map((_, c) => {
                const v = row[c];
                const text = valueText(v);
                return (
                  <td
                    // biome-ignore lint/suspicious/noArrayIndexKey: see above.
                    key={c}
                    title={text}
                    className={cn(
                      "max-w-[18rem] truncate border-b border-zinc-100 px-3 py-1.5 font-mono whitespace-nowrap",
                      v === null || v === undefined ? "text-zinc-400 italic" : "text-zinc-800",
                    )}
                  >
                    {cell ? cell(v, r, c) : text}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
