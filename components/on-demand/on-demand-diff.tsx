"use client";

import { useQuery } from "@tanstack/react-query";
import { X } from "lucide-react";
import { useEffect, useRef } from "react";
import { Badge, type Tone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { ErrorState } from "@/components/ui/error-state";
import { plural } from "@/components/ui/format";
import { SkeletonTable } from "@/components/ui/skeleton";
import { useTRPC } from "@/trpc/client";
import { diffValueText } from "./diff-text";

const KIND_TONE: Record<string, Tone> = { added: "green", removed: "red", changed: "amber" };

/**
 * The changes between two versions. Expressions are long, so a change is a block with its path,
 * then before and after in full (wrapped, never cut), rather than a table of one-line cells.
 */
export function OnDemandDiff({
  project,
  name,
  from,
  to,
  onClose,
}: {
  project: string;
  name: string;
  from: number;
  to: number;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const query = useQuery(trpc.onDemandViews.diff.queryOptions({ project, name, from, to }));
  // The versions sit at the bottom of the page: bring the comparison into view.
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.scrollIntoView({ block: "start", behavior: "smooth" });
  }, []);
  return (
    <div
      ref={ref}
      className="scroll-mt-6 rounded-lg border border-zinc-200 bg-zinc-50/60 p-3"
      data-testid="version-diff"
    >
      <div className="mb-3 flex items-center justify-between gap-4 px-1">
        <h3 className="text-sm font-medium text-zinc-900">
          Changes from <span className="font-mono">v{from}</span> to <span className="font-mono">v{to}</span>
          {query.data && (
            <span className="ml-2 font-normal text-zinc-500">
              {plural(query.data.changes.length, "change")}
            </span>
          )}
        </h3>
        <Button variant="ghost" size="sm" onClick={onClose} aria-label="Close comparison">
          <X className="size-3.5" aria-hidden />
          Close
        </Button>
      </div>
      {query.isPending ? (
        <SkeletonTable rows={3} columns={3} />
      ) : query.isError ? (
        <ErrorState error={query.error} title="Could not compare these versions" />
      ) : query.data.changes.length === 0 ? (
        <p className="rounded-lg border border-zinc-200 bg-white px-4 py-6 text-center text-sm text-zinc-500">
          The two versions have the same definition.
        </p>
      ) : (
        <ul className="flex flex-col gap-2">
          {query.data.changes.map((c) => {
            const before = diffValueText(c.before);
            const after = diffValueText(c.after);
            return (
              <li
                key={`${c.kind}:${c.path}`}
                className="flex flex-col gap-1.5 rounded-md border border-zinc-200 bg-white px-3 py-2"
                data-testid="diff-change"
              >
                <div className="flex min-w-0 items-center gap-2">
                  <Badge tone={KIND_TONE[c.kind] ?? "gray"}>{c.kind}</Badge>
                  <span className="min-w-0 font-mono text-[13px] break-all text-zinc-900">{c.path}</span>
                </div>
                {before && (
                  <pre
                    className={cn(
                      "font-mono text-[13px] whitespace-pre-wrap break-words text-red-700",
                      c.kind === "changed" && "line-through decoration-red-300",
                    )}
                  >
                    <span className="sr-only">Before: </span>
                    {before}
                  </pre>
                )}
                {after && (
                  <pre className="font-mono text-[13px] whitespace-pre-wrap break-words text-emerald-700">
                    <span className="sr-only">After: </span>
                    {after}
                  </pre>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
