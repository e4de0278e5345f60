"use client";

import { useQuery } from "@tanstack/react-query";
import { Network, X } from "lucide-react";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback } from "react";
import { useProjectRole } from "@/components/auth/use-project-role";
import { href } from "@/components/catalog/links";
import { KIND_STYLE } from "@/components/lineage/kinds";
import { LineageGraphView } from "@/components/lineage/lineage-graph";
import { lineageNodeHref as lineageHref } from "@/components/lineage/links";
import { Button, ButtonLink } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState } from "@/components/ui/error-state";
import { formatCount } from "@/components/ui/format";
import { PageHeader } from "@/components/ui/page-header";
import { Skeleton } from "@/components/ui/skeleton";
import { LINEAGE_KINDS, type LineageGraph, type LineageNode } from "@/server/registry/lineage/types";
import { useTRPC } from "@/trpc/client";

/** Above this many nodes the graph opens with features folded into view -> service edges. */
const COLLAPSE_ABOVE_NODES = 300;

const KIND_NAME: Record<LineageNode["kind"], string> = {
  source: "Sources",
  entity: "Entities",
  feature_view: "Feature views",
  feature: "Features",
  feature_service: "Feature services",
  dataset: "Datasets",
  consumer: "Consumers",
};

/**
 * The whole project's lineage at full height. Clicking a node opens its page; `?focus=<node id>`
 * selects a node and lights up its up- and downstream path, so other pages can link here.
 */
export function LineageExplorer({ project }: { project: string }) {
  const trpc = useTRPC();
  const { can } = useProjectRole(project);
  const router = useRouter();
  const pathname = usePathname();
  const focus = useSearchParams().get("focus") || undefined;
  const query = useQuery(trpc.lineage.graph.queryOptions({ project }));
  const graph = query.data;

  const hrefFor = useCallback((node: LineageNode) => lineageHref(project, node), [project]);
  const onSelect = useCallback(
    (id: string | null) => {
      const node = id ? graph?.nodes.find((n) => n.id === id) : undefined;
      const target = node && lineageHref(project, node);
      if (target) router.push(target);
      // Nodes without a page (consumers) stay selected, in the URL so the view can be shared.
      else router.replace(id ? `${pathname}?focus=${encodeURIComponent(id)}` : pathname, { scroll: false });
    },
    [graph, project, pathname, router],
  );

  const focusMissing = !!graph && !!focus && !graph.nodes.some((n) => n.id === focus);

  return (
    <div className="mx-auto flex h-screen w-full max-w-[1400px] flex-col px-8 py-7">
      <PageHeader
        className="mb-4"
        title="Lineage"
        description="Sources and entities feed feature views; their features are read by feature services and the models or services consuming them. Click a node to open it."
        actions={
          focus && (
            <Button onClick={() => router.replace(pathname, { scroll: false })}>
              <X className="size-4" aria-hidden />
              Clear focus
            </Button>
          )
        }
      />
      {query.isPending ? (
        <Skeleton className="min-h-[480px] w-full flex-1 rounded-lg" />
      ) : query.isError ? (
        <ErrorState error={query.error} title="Could not load the lineage" retry={() => query.refetch()} />
      ) : query.data.nodes.length === 0 ? (
        <EmptyState
          icon={Network}
          title="Nothing to trace yet"
          description="This project has no sources, entities or feature views. Register a feature view and its lineage appears here, with the services and consumers reading it."
          action={
            can("definitions.write") && (
              <ButtonLink href={href.newView(project)} variant="primary">
                Register feature view
              </ButtonLink>
            )
          }
        />
      ) : (
        <>
          <Legend graph={query.data} />
          {focusMissing && (
            <p className="mb-3 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
              No node <span className="font-mono">{focus}</span> in this project's lineage; showing
              everything.
            </p>
          )}
          <div className="min-h-0 flex-1">
            <LineageGraphView
              // A new focus from the URL starts a fresh drawing framed on it.
              key={focus ?? "all"}
              graph={query.data}
              highlight={focusMissing ? undefined : focus}
              hrefFor={hrefFor}
              onSelect={onSelect}
              collapseFeatures={
                focus?.startsWith("feature:") ? false : query.data.nodes.length > COLLAPSE_ABOVE_NODES
              }
            />
          </div>
        </>
      )}
    </div>
  );
}

/** The node kinds in column order, each with its color and how many the project has. */
function Legend({ graph }: { graph: LineageGraph }) {
  const counts = new Map<string, number>();
  for (const n of graph.nodes) counts.set(n.kind, (counts.get(n.kind) ?? 0) + 1);
  return (
    <ul
      className="mb-3 flex flex-wrap items-center gap-x-5 gap-y-2 text-xs text-zinc-600"
      aria-label="Legend"
    >
      {LINEAGE_KINDS.map((kind) => (
        <li key={kind} className="flex items-center gap-1.5">
          <span
            className="size-2.5 rounded-sm"
            style={{ backgroundColor: KIND_STYLE[kind].color }}
            aria-hidden
          />
          <span className="font-medium text-zinc-800">{KIND_NAME[kind]}</span>
          <span className="tabular-nums text-zinc-500">{formatCount(counts.get(kind) ?? 0)}</span>
        </li>
      ))}
    </ul>
  );
}
