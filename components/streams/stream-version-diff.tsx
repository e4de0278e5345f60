"use client";

import { useQuery } from "@tanstack/react-query";
import { X } from "lucide-react";
import { Badge, type Tone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ErrorState } from "@/components/ui/error-state";
import { plural } from "@/components/ui/format";
import { SkeletonTable } from "@/components/ui/skeleton";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useTRPC } from "@/trpc/client";
import { formatDiffValue } from "../views/version-diff";

const KIND_TONE: Record<string, Tone> = { added: "green", removed: "red", changed: "amber" };

/**
 * The changes between two versions of a stream view (streamViews.diff). The feature view's
 * VersionDiff reads featureViews.diff; this is its table over the stream view's op.
 */
export function StreamVersionDiff({
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
  const query = useQuery(trpc.streamViews.diff.queryOptions({ project, name, from, to }));
  return (
    <div className="rounded-lg border border-zinc-200 bg-zinc-50/60 p-3" data-testid="stream-diff">
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
        <Table mobile="scroll">
          <THead>
            <tr>
              <TH className="w-28">Change</TH>
              <TH className="w-[34%]">Path</TH>
              <TH>Before</TH>
              <TH>After</TH>
            </tr>
          </THead>
          <TBody>
            {query.data.changes.map((c) => (
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
                  <span className="block truncate font-mono text-[13px] text-red-700">
                    {formatDiffValue(c.before, c.path) || "—"}
                  </span>
                </TD>
                <TD>
                  <span className="block truncate font-mono text-[13px] text-emerald-700">
                    {formatDiffValue(c.after, c.path) || "—"}
                  </span>
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
      )}
    </div>
  );
}
