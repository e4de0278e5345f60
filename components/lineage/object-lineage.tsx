"use client";

import { useQuery } from "@tanstack/react-query";
import { Network } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback } from "react";
import { href, objectHref } from "@/components/catalog/links";
import { Card } from "@/components/ui/card";
import { ErrorState } from "@/components/ui/error-state";
import { Skeleton } from "@/components/ui/skeleton";
import type { LineageNode } from "@/server/registry/lineage/types";
import { useTRPC } from "@/trpc/client";
import { LineageGraphView } from "./lineage-graph";

/** The page of a lineage node (every kind has one now). */
export function lineageHref(project: string, node: LineageNode): string {
  switch (node.kind) {
    case "feature_view":
      return objectHref(project, "view", node.name);
    case "feature": {
      const view = typeof node.meta.featureView === "string" ? node.meta.featureView : undefined;
      return view ? href.feature(project, view, node.name) : href.features(project);
    }
    case "source":
      return objectHref(project, "source", node.name);
    case "entity":
      return objectHref(project, "entity", node.name);
    case "feature_service":
      return objectHref(project, "service", node.name);
    case "dataset":
      return objectHref(project, "dataset", node.name);
    case "consumer":
      return objectHref(project, "consumer", node.name);
  }
}

export function lineagePageHref(project: string, focus?: string): string {
  const base = href.lineage(project);
  return focus ? `${base}?focus=${encodeURIComponent(focus)}` : base;
}

/**
 * One object's lineage in focus: everything up- and downstream of the node (`kind:name`, or
 * `feature:view:feature`), with a link to the full graph. Clicking another node opens its page.
 */
export function ObjectLineage({ project, nodeId }: { project: string; nodeId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const query = useQuery(trpc.lineage.neighborhood.queryOptions({ project, nodeId, direction: "both" }));
  const hrefFor = useCallback((node: LineageNode) => lineageHref(project, node), [project]);
  const onSelect = useCallback(
    (id: string | null) => {
      const node = id ? query.data?.nodes.find((n) => n.id === id) : undefined;
      if (node && node.id !== nodeId) router.push(lineageHref(project, node));
    },
    [query.data, nodeId, project, router],
  );

  return (
    <Card
      title="Lineage"
      description="Where its data comes from and who reads it. Click a node to open it."
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
        <div className="h-[400px]" data-testid="object-lineage">
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
