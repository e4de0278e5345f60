"use client";

import { useQuery } from "@tanstack/react-query";
import { X } from "lucide-react";
import { useEffect, useRef } from "react";
import { Badge, type Tone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { ErrorState } from "@/components/ui/error-state";
import { humanizeSeconds, plural } from "@/components/ui/format";
import { SkeletonTable } from "@/components/ui/skeleton";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useTRPC } from "@/trpc/client";

const KIND_TONE: Record<string, Tone> = { added: "green", removed: "red", changed: "amber" };

/** A value of a diff row as short text: field specs as "float64 · description", records as JSON. */
export function formatDiffValue(value: unknown, path = ""): string {
  if (typeof value === "number" && path.endsWith("Seconds")) return `${value} s (${humanizeSeconds(value)})`;
  if (value === undefined) return "";
  if (value === null) return "null";
  if (typeof value === "string") return value === "" ? '""' : value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return value.map((v) => formatDiffValue(v)).join(", ");
  if (typeof value === "object" && "dtype" in value) {
    const f = value as { dtype: unknown; description?: unknown };
    return f.description ? `${String(f.dtype)} · ${String(f.description)}` : String(f.dtype);
  }
  return JSON.stringify(value);
}

interface VersionDiffProps {
  project: string;
  name: string;
  from: number;
  to: number;
  onClose: () => void;
}

/** The changes between two versions as added/removed/changed rows. */
export function VersionDiff({ project, name, from, to, onClose }: VersionDiffProps) {
  const trpc = useTRPC();
  const query = useQuery(trpc.featureViews.diff.queryOptions({ project, name, from, to }));
  // The versions section sits at the bottom of a long page: bring the comparison into view.
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.scrollIntoView({ block: "start", behavior: "smooth" });
  }, []);
  return (
    <div ref={ref} className="scroll-mt-6 rounded-lg border border-zinc-200 bg-zinc-50/60 p-3">
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
        <SkeletonTable rows={3} columns={4} />
      ) : query.isError ? (
        <ErrorState error={query.error} title="Could not compare these versions" />
      ) : query.data.changes.length === 0 ? (
        <p className="rounded-lg border border-zinc-200 bg-white px-4 py-6 text-center text-sm text-zinc-500">
          The two versions have the same definition.
        </p>
      ) : (
        <Table>
          <THead>
            <tr>
              <TH className="w-28">Change</TH>
              <TH className="w-[30%]">Path</TH>
              <TH>Before</TH>
              <TH>After</TH>
            </tr>
          </THead>
          <TBody>
            {query.data.changes.map((c) => {
              const before = formatDiffValue(c.before, c.path);
              const after = formatDiffValue(c.after, c.path);
              return (
                <TR key={`${c.kind}:${c.path}`}>
                  <TD>
                    <Badge tone={KIND_TONE[c.kind] ?? "gray"}>{c.kind}</Badge>
                  </TD>
                  <TD>
                    <span className="block truncate font-mono text-[13px] text-zinc-900" title={c.path}>
                      {c.path}
                    </span>
                  </TD>
                  <TD>
                    {before ? (
                      <span
                        className={cn(
                          "block truncate font-mono text-[13px] text-red-700",
                          c.kind === "changed" && "line-through decoration-red-300",
                        )}
                        title={before}
                      >
                        {before}
                      </span>
                    ) : (
                      <span className="text-zinc-300">—</span>
                    )}
                  </TD>
                  <TD>
                    {after ? (
                      <span className="block truncate font-mono text-[13px] text-emerald-700" title={after}>
                        {after}
                      </span>
                    ) : (
                      <span className="text-zinc-300">—</span>
                    )}
                  </TD>
                </TR>
              );
            })}
          </TBody>
        </Table>
      )}
    </div>
  );
}
