"use client";

import { ArrowUpRight, Crosshair, X } from "lucide-react";
import Link from "next/link";
import type { LineageNeighborhood } from "@/server/registry/lineage/explore";
import { ColumnLineage } from "./column-lineage";
import { detailOf, KIND_STYLE } from "./kinds";
import { lineageNodeHref } from "./links";

const META_LABEL: Record<string, string> = {
  owner: "Owner",
  description: "Description",
  sourceKind: "Source kind",
  table: "Table",
  joinKey: "Join key",
  valueType: "Value type",
  version: "Version",
  online: "Online",
  ttlSeconds: "TTL (s)",
  featureCount: "Features",
  dtype: "Type",
  featureView: "Feature view",
  missingFeatures: "Missing features",
  consumerKind: "Consumer kind",
  status: "Status",
  rows: "Rows",
  storage: "Storage",
  engine: "Engine",
  output: "Output source",
  columnCount: "Output columns",
  incremental: "Incremental",
  stream: "Stream",
  tileSeconds: "Tile (s)",
  requestFields: "Request fields",
  aggregation: "Aggregation",
  expression: "Expression",
};

/** Meta the panel says otherwise (the owner has its own row, a feature's view kind is in its link). */
const NOT_LISTED = new Set(["owner", "viewKind"]);

/** The selected node's details beside the graph: what it is, who owns it, its links, its page. */
export function LineageSidePanel({
  project,
  graph,
  nodeId,
  isFocus = false,
  onFocus,
  onSelect,
  onClose,
}: {
  project: string;
  graph: LineageNeighborhood;
  nodeId: string;
  isFocus?: boolean;
  onFocus: (id: string) => void;
  /** Selects another node drawn in the graph (a feature named in the column lineage). */
  onSelect?: (id: string) => void;
  onClose: () => void;
}) {
  const node = graph.nodes.find((n) => n.id === nodeId);
  if (!node) return null;
  const style = KIND_STYLE[node.kind];
  const counts = graph.counts[node.id];
  const name = node.kind === "feature" ? `${node.meta.featureView}:${node.name}` : node.name;
  const meta = Object.entries(node.meta).filter(([k, v]) => !NOT_LISTED.has(k) && v !== null && v !== "");
  // Features of stream and on-demand views link to their view's page, and read no source column.
  const viewKind = node.kind === "feature" ? node.meta.viewKind : undefined;
  const pageLabel =
    viewKind === "stream_view" || viewKind === "on_demand_view" ? KIND_STYLE[viewKind].label : style.label;
  const hasColumns = node.kind === "transformation" || (node.kind === "feature" && viewKind === undefined);
  const pick = (id: string) =>
    onSelect && graph.nodes.some((n) => n.id === id) ? onSelect(id) : onFocus(id);
  const owner = typeof node.meta.owner === "string" && node.meta.owner !== "" ? node.meta.owner : "—";
  return (
    <aside
      aria-label="Node details"
      className="w-80 shrink-0 overflow-auto rounded-lg border border-zinc-200 bg-white p-4 text-sm"
    >
      <div className="mb-3 flex items-start justify-between gap-2">
        <div className="min-w-0">
          <span className={`rounded px-1.5 py-0.5 text-[10px] font-semibold uppercase ${style.badge}`}>
            {style.label}
          </span>
          <h2 className="mt-1.5 break-all font-semibold text-zinc-900">{name}</h2>
          {detailOf(node) && <p className="text-xs text-zinc-500">{detailOf(node)}</p>}
        </div>
        <button
          type="button"
          onClick={onClose}
          aria-label="Close details"
          className="rounded p-1 text-zinc-400 hover:bg-zinc-100 hover:text-zinc-900"
        >
          <X className="size-4" aria-hidden />
        </button>
      </div>
      <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-xs">
        <dt className="text-zinc-500">Owner</dt>
        <dd className="text-zinc-900">{owner}</dd>
        {counts && (
          <>
            <dt className="text-zinc-500">Upstream</dt>
            <dd className="text-zinc-900" data-testid="upstream-count">
              {counts.upstream}
              {counts.hiddenUpstream > 0 && (
                <span className="text-zinc-500"> ({counts.hiddenUpstream} not shown)</span>
              )}
            </dd>
            <dt className="text-zinc-500">Downstream</dt>
            <dd className="text-zinc-900" data-testid="downstream-count">
              {counts.downstream}
              {counts.hiddenDownstream > 0 && (
                <span className="text-zinc-500"> ({counts.hiddenDownstream} not shown)</span>
              )}
            </dd>
          </>
        )}
        {meta.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="text-zinc-500">{META_LABEL[k] ?? k}</dt>
            <dd className="break-all text-zinc-900">{String(v)}</dd>
          </div>
        ))}
      </dl>
      {hasColumns && <ColumnLineage project={project} nodeId={node.id} onSelect={pick} />}
      <div className="mt-4 flex flex-col gap-2">
        <Link
          href={lineageNodeHref(project, node)}
          className="inline-flex items-center gap-1 font-medium text-indigo-600 hover:underline"
        >
          Open {pageLabel} page
          <ArrowUpRight className="size-3.5" aria-hidden />
        </Link>
        {!isFocus && (
          <button
            type="button"
            onClick={() => onFocus(node.id)}
            className="inline-flex items-center gap-1 self-start rounded-md border border-zinc-300 px-2.5 py-1 text-xs font-medium text-zinc-800 hover:bg-zinc-50"
          >
            <Crosshair className="size-3.5" aria-hidden />
            Focus on this node
          </button>
        )}
      </div>
    </aside>
  );
}
