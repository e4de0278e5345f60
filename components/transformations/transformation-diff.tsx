"use client";

import { useQuery } from "@tanstack/react-query";
import { X } from "lucide-react";
import { useEffect, useRef } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ErrorState } from "@/components/ui/error-state";
import { SkeletonTable } from "@/components/ui/skeleton";
import { useTRPC } from "@/trpc/client";
import type { RouterOutputs } from "@/trpc/types";
import { SqlDiff } from "./sql-diff";

type Diff = RouterOutputs["transformations"]["diff"];

/** The number of changes a diff lists (the SQL counts as one). */
export function changeCount(d: Diff): number {
  const c = d.columns;
  return (
    (d.sql.changed ? 1 : 0) +
    (d.eventTimestampColumn ? 1 : 0) +
    (d.engine ? 1 : 0) +
    (d.incremental ? 1 : 0) +
    c.added.length +
    c.removed.length +
    c.retyped.length +
    c.relineaged.length +
    d.metadata.length
  );
}

/**
 * What changed between two versions (transformations.diff): the SQL as a unified line diff, the
 * output columns added, removed, retyped or computed from other source columns, and the other
 * fields (event-time column, engine, incremental rule, description, tags, owner).
 */
export function TransformationDiff({
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
  const query = useQuery(trpc.transformations.diff.queryOptions({ project, name, from, to }));
  // The versions sit at the bottom of a long page: bring the comparison into view.
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.scrollIntoView({ block: "start", behavior: "smooth" });
  }, []);
  const count = query.data ? changeCount(query.data) : null;
  return (
    <div
      ref={ref}
      data-testid="transformation-diff"
      className="scroll-mt-6 rounded-lg border border-zinc-200 bg-zinc-50/60 p-3"
    >
      <div className="mb-3 flex items-center justify-between gap-4 px-1">
        <h3 className="text-sm font-medium text-zinc-900">
          Changes from <span className="font-mono">v{from}</span> to <span className="font-mono">v{to}</span>
          {count !== null && (
            <span className="ml-2 font-normal text-zinc-500">
              {count === 1 ? "1 change" : `${count} changes`}
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
      ) : count === 0 ? (
        <p className="rounded-lg border border-zinc-200 bg-white px-4 py-6 text-center text-sm text-zinc-500">
          The two versions have the same definition.
        </p>
      ) : (
        <DiffBody diff={query.data} />
      )}
    </div>
  );
}

function DiffBody({ diff: d }: { diff: Diff }) {
  const fields: { label: string; from: string; to: string }[] = [];
  if (d.eventTimestampColumn) fields.push({ label: "Event-time column", ...d.eventTimestampColumn });
  if (d.engine) fields.push({ label: "Engine", ...d.engine });
  if (d.incremental)
    fields.push({
      label: "Runs",
      from: d.incremental.from ? "incremental" : "full refresh only",
      to: d.incremental.to ? "incremental" : "full refresh only",
    });
  const c = d.columns;
  const columnChanges = c.added.length + c.removed.length + c.retyped.length + c.relineaged.length;
  return (
    <div className="flex flex-col gap-3">
      {d.sql.changed && (
        <div>
          <h4 className="mb-1.5 px-1 text-xs font-medium text-zinc-600">SQL</h4>
          <SqlDiff before={d.sql.from} after={d.sql.to} />
        </div>
      )}
      {columnChanges > 0 && (
        <div>
          <h4 className="mb-1.5 px-1 text-xs font-medium text-zinc-600">Output columns</h4>
          <ul
            data-testid="diff-columns"
            className="flex flex-col divide-y divide-zinc-100 rounded-md border border-zinc-200 bg-white text-sm"
          >
            {c.added.map((col) => (
              <li key={`added:${col.name}`} className="flex flex-wrap items-center gap-2 px-3 py-1.5">
                <Badge tone="green">added</Badge>
                <span className="font-mono text-[13px] text-zinc-900">{col.name}</span>
                <span className="font-mono text-xs text-zinc-500">{col.columnType}</span>
              </li>
            ))}
            {c.removed.map((col) => (
              <li key={`removed:${col.name}`} className="flex flex-wrap items-center gap-2 px-3 py-1.5">
                <Badge tone="red">removed</Badge>
                <span className="font-mono text-[13px] text-zinc-900">{col.name}</span>
                <span className="font-mono text-xs text-zinc-500">{col.columnType}</span>
              </li>
            ))}
            {c.retyped.map((col) => (
              <li key={`retyped:${col.name}`} className="flex flex-wrap items-center gap-2 px-3 py-1.5">
                <Badge tone="amber">retyped</Badge>
                <span className="font-mono text-[13px] text-zinc-900">{col.name}</span>
                <span className="font-mono text-xs">
                  <span className="text-red-700 line-through decoration-red-300">{col.from}</span>
                  {" → "}
                  <span className="text-emerald-700">{col.to}</span>
                </span>
              </li>
            ))}
            {c.relineaged.map((name) => (
              <li key={`relineaged:${name}`} className="flex flex-wrap items-center gap-2 px-3 py-1.5">
                <Badge tone="violet">new lineage</Badge>
                <span className="font-mono text-[13px] text-zinc-900">{name}</span>
                <span className="text-xs text-zinc-500">is computed from other source columns</span>
              </li>
            ))}
          </ul>
        </div>
      )}
      {(fields.length > 0 || d.metadata.length > 0) && (
        <div>
          <h4 className="mb-1.5 px-1 text-xs font-medium text-zinc-600">Other fields</h4>
          <ul className="flex flex-col divide-y divide-zinc-100 rounded-md border border-zinc-200 bg-white text-sm">
            {fields.map((f) => (
              <li key={f.label} className="flex flex-wrap items-center gap-2 px-3 py-1.5">
                <span className="w-36 shrink-0 text-zinc-600">{f.label}</span>
                <span className="font-mono text-[13px]">
                  <span className="text-red-700 line-through decoration-red-300">{f.from}</span>
                  {" → "}
                  <span className="text-emerald-700">{f.to}</span>
                </span>
              </li>
            ))}
            {d.metadata.map((m) => (
              <li key={m} className="flex flex-wrap items-center gap-2 px-3 py-1.5">
                <span className="w-36 shrink-0 text-zinc-600 capitalize">{m}</span>
                <Badge tone="amber">changed</Badge>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
