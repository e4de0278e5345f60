"use client";

import { useQuery } from "@tanstack/react-query";
import { Network } from "lucide-react";
import Link from "next/link";
import { useCallback } from "react";
import { LineageGraphView } from "@/components/lineage/lineage-graph";
import { lineageNodeHref, lineagePageHref } from "@/components/lineage/links";
import { Card } from "@/components/ui/card";
import { ErrorState } from "@/components/ui/error-state";
import { Skeleton } from "@/components/ui/skeleton";
import type { LineageNode } from "@/server/registry/lineage/types";
import { useTRPC } from "@/trpc/client";

/** Hops shown each way on an object's page, and the most nodes drawn there. */
const DEPTH = 2;
const LIMIT = 60;
const FANOUT = 12;

/**
 * A compact lineage-in-focus panel for an object's page (entity, source, view, feature, service,
 * consumer, dataset): the node's neighbourhood, `DEPTH` hops up- and downstream under a node cap,
 * with a link to the full lineage page focused on it. `nodeId` is the lineage id (`kind:name`,
 * `feature:view:feature`).
 */
export function ObjectLineage({ project, nodeId }: { project: string; nodeId: string }) {
  const trpc = useTRPC();
  const query = useQuery(
    trpc.lineage.neighborhood.queryOptions({
      project,
      nodeId,
      direction: "both",
      depth: DEPTH,
      limit: LIMIT,
      fanout: FANOUT,
    }),
  );
  const hrefFor = useCallback((node: LineageNode) => lineageNodeHref(project, node), [project]);
  const hidden = query.data
    ? Object.values(query.data.counts).reduce((s, c) => s + c.hiddenUpstream + c.hiddenDownstream, 0)
    : 0;

  return (
    <Card
      title="Lineage"
      description={`Where this comes from and who reads it, ${DEPTH} hops each way.${
        hidden > 0 ? ` ${hidden} more links on the full lineage page.` : ""
      }`}
      actions={
        <Link
          href={lineagePageHref(project, { focus: nodeId })}
          className="inline-flex items-center gap-1 text-xs font-medium text-indigo-600 hover:underline"
        >
          <Network className="size-3.5" aria-hidden />
          Open in lineage
        </Link>
      }
    >
      {query.isPending ? (
        <Skeleton className="h-[360px] w-full rounded-lg" />
      ) : query.isError ? (
        <ErrorState error={query.error} title="Could not load the lineage" retry={() => query.refetch()} />
      ) : (
        // The graph fills its parent's height; its own 480px minimum is lifted for this compact frame.
        <div className="h-[360px]" data-testid="object-lineage">
          <LineageGraphView
            graph={query.data}
            highlight={nodeId}
            hrefFor={hrefFor}
            collapseFeatures={false}
            minimap={false}
            className="min-h-0!"
          />
        </div>
      )}
    </Card>
  );
}
