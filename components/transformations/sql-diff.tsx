import { cn } from "@/components/ui/cn";
import { diffStats, lineDiff } from "./line-diff";

const SIGN = { same: " ", added: "+", removed: "−" } as const;

/** Two versions' SQL as a unified line diff: old and new line numbers, removed red, added green. */
export function SqlDiff({ before, after }: { before: string; after: string }) {
  const lines = lineDiff(before, after);
  const stats = diffStats(lines);
  return (
    <div className="overflow-hidden rounded-md border border-zinc-200 bg-white" data-testid="sql-diff">
      <p className="border-b border-zinc-200 px-3 py-1.5 text-xs text-zinc-500">
        <span className="text-emerald-700">+{stats.added}</span>{" "}
        <span className="text-red-700">−{stats.removed}</span> lines
      </p>
      <table className="w-full table-fixed border-collapse font-mono text-[12px] leading-5">
        <caption className="sr-only">SQL line diff</caption>
        <colgroup>
          <col className="w-9" />
          <col className="w-9" />
          <col className="w-5" />
          <col />
        </colgroup>
        <tbody>
          {lines.map((l, i) => (
            <tr
              // biome-ignore lint/suspicious/noArrayIndexKey: lines repeat; their order is the identity.
              key={i}
              data-kind={l.kind}
              className={cn(
                l.kind === "added" && "bg-emerald-50 text-emerald-900",
                l.kind === "removed" && "bg-red-50 text-red-900",
                l.kind === "same" && "text-zinc-700",
              )}
            >
              <td className="px-1.5 text-right text-zinc-400 select-none">
                {l.kind !== "added" ? l.oldLine : ""}
              </td>
              <td className="px-1.5 text-right text-zinc-400 select-none">
                {l.kind !== "removed" ? l.newLine : ""}
              </td>
              <td className="text-center select-none">
                <span aria-hidden>{SIGN[l.kind]}</span>
                {l.kind !== "same" && <span className="sr-only">{l.kind}</span>}
              </td>
              <td className="pr-3 whitespace-pre-wrap wrap-anywhere">{l.text}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
