"use client";

import { useQuery } from "@tanstack/react-query";
import { ArrowLeft } from "lucide-react";
import { Skeleton } from "@/components/ui/skeleton";
import type { ColumnRef } from "@/server/registry/lineage/columns";
import { useTRPC } from "@/trpc/client";

/**
 * The side panel's column lineage (docs/adr/0039), from `lineage.columns`: for a transformation,
 * each output column with the source columns it is computed from and the features reading it; for
 * a feature, the column it reads and, through transformations, the columns it starts from.
 * Feature names are buttons that select the feature's node.
 */
export function ColumnLineage({
  project,
  nodeId,
  onSelect,
}: {
  project: string;
  nodeId: string;
  onSelect?: (id: string) => void;
}) {
  const trpc = useTRPC();
  const query = useQuery(trpc.lineage.columns.queryOptions({ project, nodeId }));
  const isFeature = nodeId.startsWith("feature:");
  return (
    <section aria-label="Column lineage" className="mt-4 border-t border-zinc-200 pt-3">
      <h3 className="mb-2 text-xs font-semibold uppercase tracking-wide text-zinc-500">Column lineage</h3>
      {query.isPending ? (
        <Skeleton className="h-16 w-full" />
      ) : query.isError ? (
        <p className="text-xs text-red-700">Could not load the column lineage: {query.error.message}</p>
      ) : isFeature ? (
        <FeatureColumns data={query.data} />
      ) : (
        <TransformationColumns data={query.data} onSelect={onSelect} />
      )}
    </section>
  );
}

type Answer = {
  reads: ColumnRef | null;
  steps: {
    transformation: string;
    output: ColumnRef;
    from: ColumnRef[];
    features: { id: string; view: string; name: string }[];
  }[];
  origins: ColumnRef[];
};

function Col({ r }: { r: ColumnRef }) {
  return (
    <code className="break-all rounded bg-zinc-100 px-1 font-mono text-[11px] text-zinc-800">
      {r.source}.{r.column}
    </code>
  );
}

function TransformationColumns({ data, onSelect }: { data: Answer; onSelect?: (id: string) => void }) {
  if (data.steps.length === 0) return <p className="text-xs text-zinc-500">No output columns.</p>;
  return (
    <ul className="flex flex-col gap-2 text-xs" data-testid="column-lineage">
      {data.steps.map((s) => (
        <li key={s.output.column} className="rounded border border-zinc-200 p-2">
          <div className="font-mono font-medium text-zinc-900">{s.output.column}</div>
          <div className="mt-1 flex flex-wrap items-center gap-1 text-zinc-600">
            <ArrowLeft className="size-3 shrink-0" aria-label="from" />
            {s.from.length === 0 ? (
              <span>no source column (a constant)</span>
            ) : (
              s.from.map((f) => <Col key={`${f.source}.${f.column}`} r={f} />)
            )}
          </div>
          {s.features.length > 0 && (
            <div className="mt-1 flex flex-wrap items-center gap-1 text-zinc-600">
              <span>read by</span>
              {s.features.map((f) => (
                <button
                  key={f.id}
                  type="button"
                  onClick={() => onSelect?.(f.id)}
                  className="rounded border border-emerald-300 px-1 font-mono text-[11px] text-emerald-800 hover:bg-emerald-50"
                >
                  {f.view}:{f.name}
                </button>
              ))}
            </div>
          )}
        </li>
      ))}
    </ul>
  );
}

function FeatureColumns({ data }: { data: Answer }) {
  return (
    <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1.5 text-xs" data-testid="column-lineage">
      {data.reads && (
        <>
          <dt className="text-zinc-500">Reads</dt>
          <dd>
            <Col r={data.reads} />
          </dd>
        </>
      )}
      {data.steps.map((s) => (
        <div key={`${s.output.source}.${s.output.column}`} className="contents">
          <dt className="text-zinc-500">
            <span className="font-mono">{s.transformation}</span>
          </dt>
          <dd className="flex flex-wrap items-center gap-1">
            <Col r={s.output} />
            <ArrowLeft className="size-3 shrink-0 text-zinc-500" aria-label="from" />
            {s.from.length === 0 ? (
              <span className="text-zinc-500">a constant</span>
            ) : (
              s.from.map((f) => <Col key={`${f.source}.${f.column}`} r={f} />)
            )}
          </dd>
        </div>
      ))}
      {data.steps.length > 0 && (
        <>
          <dt className="text-zinc-500">Starts from</dt>
          <dd className="flex flex-wrap gap-1" data-testid="column-origins">
            {data.origins.length === 0 ? (
              <span className="text-zinc-500">constants only</span>
            ) : (
              data.origins.map((o) => <Col key={`${o.source}.${o.column}`} r={o} />)
            )}
          </dd>
        </>
      )}
    </dl>
  );
}
