"use client";

import { useQuery } from "@tanstack/react-query";
import { Gauge } from "lucide-react";
import Link from "next/link";
import { href } from "@/components/catalog/links";
import { FreshnessBadge } from "@/components/freshness/freshness-status";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState } from "@/components/ui/error-state";
import { humanizeSeconds } from "@/components/ui/format";
import { RelativeTime } from "@/components/ui/relative-time";
import { SkeletonTable } from "@/components/ui/skeleton";
import { Truncate } from "@/components/ui/truncate";
import { useTRPC } from "@/trpc/client";

/**
 * How fresh the online data of `views` is (the freshness page's rows for them): SLA status,
 * watermark, lag and the source's newest event as of its last probe.
 */
export function FreshnessPanel({
  project,
  views,
  description = "How far the online store is behind, per feature view.",
}: {
  project: string;
  views: string[];
  description?: string;
}) {
  const trpc = useTRPC();
  const query = useQuery(trpc.freshness.list.queryOptions({ project }));
  const wanted = new Set(views);
  const rows = (query.data ?? []).filter((f) => wanted.has(f.featureView));
  return (
    <Card title="Freshness" description={description} padded={false} id="freshness">
      <div data-testid="freshness-panel">
        {query.isPending ? (
          <div className="p-4">
            <SkeletonTable rows={Math.min(3, Math.max(1, views.length))} columns={4} />
          </div>
        ) : query.isError ? (
          <div className="p-4">
            <ErrorState error={query.error} title="Could not load freshness" retry={() => query.refetch()} />
          </div>
        ) : rows.length === 0 ? (
          <div className="p-4">
            <EmptyState
              icon={Gauge}
              title="No feature view to measure"
              description="Freshness is measured per feature view; none reads this yet."
              className="py-6"
            />
          </div>
        ) : (
          // A list, not a table: the panel sits in a narrow column.
          <ul className="divide-y divide-zinc-100" aria-label="Freshness of its views">
            {rows.map((f) => (
              <li
                key={f.featureView}
                className="flex flex-col gap-1 px-4 py-2.5 text-sm"
                data-testid="freshness-row"
              >
                <div className="flex min-w-0 items-center justify-between gap-2">
                  <Truncate text={f.featureView} mono>
                    <Link
                      href={href.view(project, f.featureView)}
                      className="text-indigo-600 hover:underline"
                    >
                      {f.featureView}
                    </Link>
                  </Truncate>
                  <span className="shrink-0">
                    <FreshnessBadge status={f.status} />
                  </span>
                </div>
                <div className="flex flex-wrap gap-x-3 gap-y-0.5 text-xs text-zinc-500">
                  <span>{f.slaSeconds ? `SLA ${humanizeSeconds(f.slaSeconds)}` : "no SLA"}</span>
                  <span>
                    watermark{" "}
                    {f.watermark ? (
                      <RelativeTime date={f.watermark} />
                    ) : (
                      <span className="text-zinc-400">never</span>
                    )}
                    {f.lagSeconds !== null && ` (lag ${humanizeSeconds(f.lagSeconds)})`}
                  </span>
                  <span>
                    newest event{" "}
                    {f.newestSourceEvent ? (
                      <RelativeTime date={f.newestSourceEvent} />
                    ) : (
                      <span className="text-zinc-400" title={f.probe.error ?? undefined}>
                        {f.probe.status === "pending"
                          ? "not probed yet"
                          : f.probe.status === "ok"
                            ? "none (empty)"
                            : f.probe.status}
                      </span>
                    )}
                  </span>
                </div>
              </li>
            ))}
          </ul>
        )}
      </div>
    </Card>
  );
}
