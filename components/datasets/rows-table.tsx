import { cn } from "@/components/ui/cn";
import { formatCount } from "@/components/ui/format";
import type { DatasetRows } from "@/server/datasets/schemas";
import { cellText } from "./format";

interface RowsTableProps {
  data: Pick<DatasetRows, "columns" | "featureColumns" | "rows">;
  /** Names the table for screen readers and tests, e.g. "Preview rows". */
  label: string;
  className?: string;
}

/**
 * Rows of a dataset as a grid: the header sticks while the box scrolls, wide rows scroll sideways
 * inside the box (never the page), nulls are dimmed. Entity columns come first, tinted.
 */
export function RowsTable({ data, label, className }: RowsTableProps) {
  const features = new Set(data.featureColumns);
  return (
    <section
      className={cn(
        "max-h-[32rem] overflow-auto rounded-lg border border-zinc-200 bg-white shadow-xs",
        className,
      )}
      // Keyboard users scroll the box too.
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable.
      tabIndex={0}
      aria-label={label}
    >
      <table className="min-w-full border-separate border-spacing-0 text-[13px]" data-testid="rows-table">
        <thead className="sticky top-0 z-10">
          <tr>
            <th
              scope="col"
              className="border-b border-zinc-200 bg-zinc-50 px-3 py-2 text-right text-xs font-medium whitespace-nowrap text-zinc-400"
            >
              #
            </th>
            {data.columns.map((c) => (
              <th
                key={c}
                scope="col"
                title={features.has(c) ? `Feature ${c}` : `Entity column ${c}`}
                className={cn(
                  "border-b border-zinc-200 px-3 py-2 text-left font-mono text-xs font-medium whitespace-nowrap",
                  features.has(c) ? "bg-zinc-50 text-zinc-700" : "bg-indigo-50 text-indigo-800",
                )}
              >
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {data.rows.map((row, r) => (
            <tr
              // Rows have no identity of their own; their position is it.
              // biome-ignore lint/suspicious/noArrayIndexKey: see above.
              key={r}
              data-testid="rows-table-row"
              className="hover:bg-zinc-50 [&:last-child>td]:border-b-0"
            >
              <td className="border-b border-zinc-100 px-3 py-1.5 text-right text-xs whitespace-nowrap text-zinc-400 tabular-nums">
                {formatCount(r + 1)}
              </td>
              {data.columns.map((c, i) => {
                const value = row[i];
                const text = cellText(value);
                return (
                  <td
                    key={c}
                    className={cn(
                      "max-w-[24rem] truncate border-b border-zinc-100 px-3 py-1.5 font-mono whitespace-nowrap",
                      typeof value === "number" && "text-right tabular-nums",
                      text === null ? "text-zinc-300 italic" : "text-zinc-800",
                    )}
                    title={text ?? undefined}
                  >
                    {text ?? "null"}
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
