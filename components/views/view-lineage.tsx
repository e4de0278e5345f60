"use client";

import { useQuery } from "@tanstack/react-query";
import { Network } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback } from "react";
import { href } from "@/components/catalog/links";
import { LineageGraphView } from "@/components/lineage/lineage-graph";
import { Card } from "@/components/ui/card";
import { ErrorState } from "@/components/ui/error-state";
import { Skeleton } from "@/components/ui/skeleton";
import type { LineageNode } from "@/server/registry/lineage/types";
import { useTRPC } from "@/trpc/client";

/**
 * The page of a lineage node: a view's own page, a feature's row on its view's page, the list
 * page of the other kinds; undefined for kinds without a page (consumers).
 */
export function lineageHref(project: string, node: LineageNode): string | undefined {
  switch (node.kind) {
    case "feature_view":
      return href.view(project, node.name);
    case "feature":
      return typeof node.meta.featureView === "string"
        ? href.field(project, node.meta.featureView, node.name)
        : href.features(project);
    case "source":
      return href.sources(project);
    case "entity":
      return href.entities(project);
    case "feature_service":
      return href.services(project);
    case "dataset":
      return href.dataset(project, node.name);
    case "consumer":
      return undefined;
  }
}

export function lineagePageHref(project: string, focus?: string): string {
  const base = `/p/${encodeURIComponent(project)}/lineage`;
  return focus ? `${base}?focus=${encodeURIComponent(focus)}` : base;
}

/** A feature view's lineage: everything up- and downstream of it, with a link to the full graph. */
export function ViewLineage({ project, featureView }: { project: string; featureView: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const nodeId = `feature_view:${featureView}`;
  const query = useQuery(trpc.lineage.neighborhood.queryOptions({ project, nodeId, direction: "both" }));
  const hrefFor = useCallback((node: LineageNode) => lineageHref(project, node), [project]);
  const onSelect = useCallback(
    (id: string | null) => {
      const node = id ? query.data?.nodes.find((n) => n.id === id) : undefined;
      const target = node && node.id !== nodeId ? lineageHref(project, node) : undefined;
      if (target) router.push(target);
    },
    [query.data, nodeId, project, router],
  );

  return (
    <Card
      title="Lineage"
      description="Where this view's data comes from and who reads its features. Click a node to open it."
      actions={
        <Link
          href={lineagePageHref(project, nodeId)}
          className="inline-flex items-center gap-1 text-xs font-medium text-indigo-600 hover:underline"
        >
          <Network className="size-3.5" aria-hidden />
          Open in lineage
        </Link>
      }
    >
      {query.isPending ? (
        <Skeleton className="h-[400px] w-full rounded-lg" />
      ) : query.isError ? (
        <ErrorState error={query.error} title="Could not load the lineage" retry={() => query.refetch()} />
      ) : (
        // The graph fills its parent's height; its own 480px minimum is lifted for this compact frame.
        <div className="h-[400px]">
          <LineageGraphView
            graph={query.data}
            highlight={nodeId}
            hrefFor={hrefFor}
            onSelect={onSelect}
            className="min-h-0!"
          />
        </div>
      )}
    </Card>
  );
}
