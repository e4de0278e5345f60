"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import clsx from "clsx";
import { Network, X } from "lucide-react";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useEffect, useMemo, useState } from "react";
import { useProjectRole } from "@/components/auth/use-project-role";
import { href } from "@/components/catalog/links";
import { KIND_STYLE } from "@/components/lineage/kinds";
import { LineageGraphView } from "@/components/lineage/lineage-graph";
import { Button, ButtonLink } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState } from "@/components/ui/error-state";
import { formatCount } from "@/components/ui/format";
import { PageHeader } from "@/components/ui/page-header";
import { Skeleton } from "@/components/ui/skeleton";
import type { LineageNeighborhood, LineageSummary } from "@/server/registry/lineage/explore";
import { LINEAGE_KINDS, type LineageDirection, type LineageNodeKind } from "@/server/registry/lineage/types";
import { useTRPC } from "@/trpc/client";
import { countKinds, expandInput, focusInput, MAX_DRAWN, mergeNeighborhoods } from "./explore-state";
import { LineageSearchBox } from "./lineage-search";
import { LineageSidePanel } from "./lineage-side-panel";
import { type LineageUrlState, lineageSearch, parseLineageUrl } from "./links";

export const KIND_NAME: Record<LineageNodeKind, string> = {
  source: "Sources",
  transformation: "Transformations",
  entity: "Entities",
  feature_view: "Feature views",
  stream_view: "Stream views",
  feature: "Features",
  on_demand_view: "On-demand views",
  feature_service: "Feature services",
  dataset: "Datasets",
  consumer: "Consumers",
};

const DIRECTIONS: { value: LineageDirection; label: string }[] = [
  { value: "both", label: "Both" },
  { value: "upstream", label: "Upstream" },
  { value: "downstream", label: "Downstream" },
];

/**
 * The lineage page's client body. Without a focus it shows a summary (counts per kind, the
 * objects with most fan-out) and, when the project is small enough, the graph with features
 * folded; with `?focus=<node id>` it draws that node's neighbourhood, and each node's "+" grows it
 * by one hop. `dir` and `kinds` in the URL choose the direction and the kinds drawn; clicking a
 * node selects it and opens its details beside the graph, double-click focuses on it.
 */
export function LineageExplorer({ project }: { project: string }) {
  const router = useRouter();
  const pathname = usePathname();
  const url = parseLineageUrl(useSearchParams());

  const navigate = useCallback(
    (next: Partial<LineageUrlState>) => {
      const merged = { ...url, ...next };
      router.push(`${pathname}${lineageSearch(merged)}`, { scroll: false });
    },
    [url, pathname, router],
  );

  return (
    <div className="mx-auto flex h-[calc(100dvh-3.5rem)] w-full max-w-[1600px] flex-col px-4 py-5 md:h-screen md:px-8 md:py-7">
      <PageHeader
        className="mb-3"
        title="Lineage"
        description="Sources feed transformations and feature views, streams feed stream views; their features are read by on-demand views, feature services, datasets and the models or services consuming them. Click a node for its details (a transformation's or feature's source columns too), double-click to focus on it."
        actions={
          url.focus && (
            <Button onClick={() => navigate({ focus: undefined })}>
              <X className="size-4" aria-hidden />
              Clear focus
            </Button>
          )
        }
      />
      {url.focus ? (
        <Focused project={project} url={url} navigate={navigate} />
      ) : (
        <Unfocused project={project} url={url} navigate={navigate} />
      )}
    </div>
  );
}

interface PartProps {
  project: string;
  url: LineageUrlState;
  navigate: (next: Partial<LineageUrlState>) => void;
}

function Unfocused({ project, url, navigate }: PartProps) {
  const trpc = useTRPC();
  const { can } = useProjectRole(project);
  const query = useQuery(trpc.lineage.overview.queryOptions({ project }));
  const [selected, setSelected] = useState<string | null>(null);

  if (query.isPending) return <Skeleton className="min-h-[480px] w-full flex-1 rounded-lg" />;
  if (query.isError)
    return (
      <ErrorState error={query.error} title="Could not load the lineage" retry={() => query.refetch()} />
    );
  const { summary, graph, cap } = query.data;
  const total = Object.values(summary.counts).reduce((a, b) => a + b, 0);
  if (total === 0)
    return (
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
    );
  const focus = (id: string) => navigate({ focus: id });
  return (
    <>
      <Toolbar project={project} url={url} navigate={navigate} counts={summary.counts} />
      <div className="flex min-h-0 flex-1 gap-4">
        <div className="flex min-h-0 min-w-0 flex-1 flex-col gap-3">
          <Summary summary={summary} onFocus={focus} />
          {graph && graph.nodes.length > 0 ? (
            <div className="min-h-0 flex-1">
              <LineageGraphView
                graph={graph}
                selected={selected}
                onSelect={setSelected}
                onActivate={focus}
                hideKinds={hiddenKinds(url.kinds)}
                collapseFeatures={false}
              />
            </div>
          ) : (
            <p className="rounded-md border border-zinc-200 bg-white px-4 py-3 text-sm text-zinc-600">
              {formatCount(total)} nodes are too many to draw whole (more than {formatCount(cap)} without
              features): search above or pick a starting point to see its neighbourhood.
            </p>
          )}
        </div>
        {selected && graph && (
          <LineageSidePanel
            project={project}
            graph={graph}
            nodeId={selected}
            onFocus={focus}
            onSelect={setSelected}
            onClose={() => setSelected(null)}
          />
        )}
      </div>
    </>
  );
}

function Focused({ project, url, navigate }: PartProps) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const focus = url.focus ?? "";
  const query = useQuery(trpc.lineage.neighborhood.queryOptions(focusInput(project, focus, url.dir)));
  const [extra, setExtra] = useState<LineageNeighborhood[]>([]);
  const [expanding, setExpanding] = useState<string | null>(null);
  const [expandError, setExpandError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(focus);

  // A new focus or direction starts from its own neighbourhood, with the focus selected.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset on these two only
  useEffect(() => {
    setExtra([]);
    setSelected(focus);
    setExpandError(null);
  }, [focus, url.dir]);

  const graph = useMemo(
    () => (query.data ? mergeNeighborhoods([query.data, ...extra]) : undefined),
    [query.data, extra],
  );

  const onExpand = useCallback(
    (id: string) => {
      setExpanding(id);
      setExpandError(null);
      queryClient
        .fetchQuery(trpc.lineage.neighborhood.queryOptions(expandInput(project, id)))
        .then(
          (part) => setExtra((list) => [...list, part]),
          (e: unknown) => setExpandError(e instanceof Error ? e.message : String(e)),
        )
        .finally(() => setExpanding(null));
    },
    [queryClient, trpc, project],
  );
  const hiddenOf = useCallback(
    (id: string) => {
      const c = graph?.counts[id];
      return c ? c.hiddenUpstream + c.hiddenDownstream : 0;
    },
    [graph],
  );
  const refocus = useCallback((id: string) => navigate({ focus: id }), [navigate]);
  const counts = useMemo(() => countKinds(graph?.nodes ?? []), [graph]);

  if (query.isPending)
    return (
      <>
        <Toolbar project={project} url={url} navigate={navigate} />
        <Skeleton className="min-h-[480px] w-full flex-1 rounded-lg" />
      </>
    );
  if (query.isError) {
    const notFound = query.error.data?.code === "NOT_FOUND";
    return (
      <>
        <Toolbar project={project} url={url} navigate={navigate} />
        {notFound ? (
          <p className="mb-3 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
            No node <span className="font-mono">{focus}</span> in this project's lineage. Search for one
            above, or clear the focus to see the whole project.
          </p>
        ) : (
          <ErrorState error={query.error} title="Could not load the lineage" retry={() => query.refetch()} />
        )}
      </>
    );
  }
  if (!graph) return null;
  return (
    <>
      <Toolbar project={project} url={url} navigate={navigate} counts={counts} />
      {(graph.truncated || expandError) && (
        <p className="mb-2 text-xs text-zinc-600" role="status">
          {expandError
            ? `Could not expand: ${expandError}`
            : "Showing the nearest nodes; a node's + shows what is linked to it beyond them."}
        </p>
      )}
      <div className="flex min-h-0 flex-1 gap-4">
        <div className="min-h-0 min-w-0 flex-1">
          {graph.nodes.length > MAX_DRAWN ? (
            <p className="rounded-md border border-zinc-200 bg-white px-4 py-3 text-sm text-zinc-600">
              {formatCount(graph.nodes.length)} nodes are too many to draw: clear the focus for the summary,
              or focus on a node nearer the part you need.
            </p>
          ) : (
            <LineageGraphView
              graph={graph}
              highlight={focus}
              selected={selected}
              onSelect={setSelected}
              onActivate={refocus}
              hiddenOf={hiddenOf}
              onExpand={onExpand}
              expanding={expanding}
              hideKinds={hiddenKinds(url.kinds)}
              collapseFeatures={false}
            />
          )}
        </div>
        {selected && (
          <LineageSidePanel
            project={project}
            graph={graph}
            nodeId={selected}
            isFocus={selected === focus}
            onFocus={refocus}
            onSelect={setSelected}
            onClose={() => setSelected(null)}
          />
        )}
      </div>
    </>
  );
}

function hiddenKinds(shown: LineageNodeKind[]): LineageNodeKind[] {
  return LINEAGE_KINDS.filter((k) => !shown.includes(k));
}

/** Search, direction (with a focus) and the kind chips: the legend, each chip a filter. */
function Toolbar({
  project,
  url,
  navigate,
  counts,
}: PartProps & { counts?: Record<LineageNodeKind, number> }) {
  const toggle = (kind: LineageNodeKind) => {
    const on = url.kinds.includes(kind);
    navigate({ kinds: on ? url.kinds.filter((k) => k !== kind) : [...url.kinds, kind] });
  };
  return (
    <div className="mb-3 flex flex-wrap items-center gap-x-4 gap-y-2">
      <LineageSearchBox project={project} onPick={(id) => navigate({ focus: id })} />
      {url.focus && (
        <fieldset className="flex items-center rounded-md border border-zinc-300 bg-white p-0.5 text-xs">
          <legend className="sr-only">Direction</legend>
          {DIRECTIONS.map((d) => (
            <button
              key={d.value}
              type="button"
              aria-pressed={url.dir === d.value}
              onClick={() => navigate({ dir: d.value })}
              className={clsx(
                "rounded px-2.5 py-1 font-medium",
                url.dir === d.value ? "bg-zinc-900 text-white" : "text-zinc-700 hover:bg-zinc-100",
              )}
            >
              {d.label}
            </button>
          ))}
        </fieldset>
      )}
      <ul className="flex flex-wrap items-center gap-1.5" aria-label="Kinds shown">
        {LINEAGE_KINDS.map((kind) => {
          const on = url.kinds.includes(kind);
          return (
            <li key={kind}>
              <button
                type="button"
                aria-pressed={on}
                onClick={() => toggle(kind)}
                title={on ? `Hide ${KIND_NAME[kind].toLowerCase()}` : `Show ${KIND_NAME[kind].toLowerCase()}`}
                className={clsx(
                  "flex items-center gap-1.5 rounded-full border px-2.5 py-1 text-xs",
                  on
                    ? "border-zinc-300 bg-white text-zinc-800"
                    : "border-dashed border-zinc-300 bg-zinc-50 text-zinc-400 line-through",
                )}
              >
                <span
                  className="size-2.5 rounded-sm"
                  style={{ backgroundColor: on ? KIND_STYLE[kind].color : "#d4d4d8" }}
                  aria-hidden
                />
                <span className="font-medium">{KIND_NAME[kind]}</span>
                {counts && <span className="tabular-nums text-zinc-500">{formatCount(counts[kind])}</span>}
              </button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

/** The places to start from: the sources, views and services with most fan-out. */
function Summary({ summary, onFocus }: { summary: LineageSummary; onFocus: (id: string) => void }) {
  const groups = [
    { title: "Top sources", hint: "views fed", nodes: summary.top.sources },
    { title: "Top feature views", hint: "services and datasets reading", nodes: summary.top.views },
    { title: "Top feature services", hint: "consumers", nodes: summary.top.services },
  ].filter((g) => g.nodes.length > 0);
  return (
    <section
      aria-label="Summary"
      className="grid gap-3 rounded-lg border border-zinc-200 bg-white p-3 md:grid-cols-3"
    >
      {groups.map((g) => (
        <div key={g.title} className="min-w-0">
          <h2 className="mb-1 text-xs font-semibold uppercase tracking-wide text-zinc-500">
            {g.title} <span className="font-normal normal-case">({g.hint})</span>
          </h2>
          <ul className="flex flex-wrap gap-1">
            {g.nodes.slice(0, 5).map((n) => (
              <li key={n.id}>
                <button
                  type="button"
                  onClick={() => onFocus(n.id)}
                  className="max-w-[14rem] truncate rounded border border-zinc-200 px-2 py-0.5 text-xs text-zinc-800 hover:border-sky-300 hover:bg-sky-50"
                  title={`Focus on ${n.name} (${n.fanout})`}
                >
                  {n.name} <span className="tabular-nums text-zinc-500">{n.fanout}</span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}
