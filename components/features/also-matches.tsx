"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Activity, Calculator, type LucideIcon, Workflow } from "lucide-react";
import Link from "next/link";
import { objectHref } from "@/components/catalog/links";
import { plural } from "@/components/ui/format";
import { useTRPC } from "@/trpc/client";

const KIND_OF: Record<
  "on_demand_view" | "stream_view" | "transformation",
  { label: string; icon: LucideIcon }
> = {
  on_demand_view: { label: "On-demand feature", icon: Calculator },
  stream_view: { label: "Stream feature", icon: Activity },
  transformation: { label: "Transformation", icon: Workflow },
};

/**
 * A short group under the feature results: on-demand and stream features and transformations whose
 * words match the text query (search.alsoMatches). They are not in the feature index, so they have
 * no facets and no typo correction; the group shows only for a text query without filters.
 */
export function AlsoMatches({ project, q }: { project: string; q: string }) {
  const trpc = useTRPC();
  const query = useQuery({
    ...trpc.search.alsoMatches.queryOptions({ project, q }),
    placeholderData: keepPreviousData,
  });
  const data = query.data;
  if (!data || data.items.length === 0) return null;
  return (
    <section aria-labelledby="also-matches" className="mt-8" data-testid="also-matches">
      <h2 id="also-matches" className="text-sm font-semibold text-zinc-900">
        Also matches: on-demand, stream features and transformations
      </h2>
      <p className="mt-0.5 text-xs text-zinc-500">
        {data.total > data.items.length
          ? `The first ${data.items.length} of ${data.total}, by name.`
          : `${plural(data.total, "match", "matches")} outside feature views; tags and filters do not apply to them.`}
      </p>
      <ul className="mt-2 divide-y divide-zinc-100 rounded-lg border border-zinc-200">
        {data.items.map((item) => {
          const { label, icon: Icon } = KIND_OF[item.viewKind ?? "transformation"];
          return (
            <li key={`${item.kind}:${item.name}`} className="flex min-w-0 items-center gap-3 px-3 py-2">
              <Icon className="size-4 shrink-0 text-zinc-400" aria-hidden />
              <div className="min-w-0 flex-1">
                <Link
                  href={objectHref(project, item.kind, item.name, item.viewKind)}
                  className="block truncate font-mono text-[13px] font-medium text-zinc-900 hover:text-indigo-600"
                >
                  {item.name}
                </Link>
                {item.description && <p className="truncate text-xs text-zinc-500">{item.description}</p>}
              </div>
              <span className="shrink-0 text-xs text-zinc-500">{label}</span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
