"use client";

import "@xyflow/react/dist/style.css";
import { Background, Controls, type Edge, MiniMap, Panel, ReactFlow } from "@xyflow/react";
import clsx from "clsx";
import { useEffect, useMemo, useState } from "react";
import { reachable } from "@/server/registry/lineage/traverse";
import {
  LINEAGE_KINDS,
  type LineageGraph,
  type LineageNode,
  lineageNodeId,
} from "@/server/registry/lineage/types";
import { KIND_STYLE } from "./kinds";
import { type LineageLayout, layoutLineage } from "./layout";
import { type LineageFlowNode, lineageNodeTypes } from "./lineage-node";

export interface LineageGraphProps {
  graph: LineageGraph;
  /** The node selected at first (e.g. the feature whose page this is). */
  highlight?: string;
  /** Called with the clicked node's id, or null when the selection is cleared. */
  onSelect?: (id: string | null) => void;
  /** A page to link each node to; no link when it returns undefined. */
  hrefFor?: (node: LineageNode) => string | undefined;
  /** Fold features into view -> service edges; "auto" folds big graphs (see layout.ts). */
  collapseFeatures?: boolean | "auto";
  className?: string;
}

type LayoutState =
  | { status: "loading" }
  | { status: "ready"; layout: LineageLayout }
  | { status: "error"; message: string };

/** Above this many nodes, React Flow renders only what is in view. */
const VISIBLE_ONLY_ABOVE = 300;
/** A drawing taller than this would be unreadable when fitted whole: open at its top-left instead. */
const FIT_WHOLE_BELOW = 4000;
const READABLE_ZOOM = 0.6;

/**
 * The lineage DAG: lays the graph out (layout.ts, off the render path) and renders it with React
 * Flow. Clicking a node selects it and lights up everything up- and downstream of it.
 */
export function LineageGraphView({
  graph,
  highlight,
  onSelect,
  hrefFor,
  collapseFeatures,
  className,
}: LineageGraphProps) {
  const featureHighlighted = highlight?.startsWith("feature:") ?? false;
  // A highlighted feature must stay visible, so it turns "auto" collapsing off.
  const [collapse, setCollapse] = useState<boolean | "auto">(
    collapseFeatures ?? (featureHighlighted ? false : "auto"),
  );
  const [selected, setSelected] = useState<string | null>(highlight ?? null);
  const [state, setState] = useState<LayoutState>({ status: "loading" });

  useEffect(() => {
    setSelected(highlight ?? null);
  }, [highlight]);

  useEffect(() => {
    let current = true;
    setState({ status: "loading" });
    layoutLineage(graph, { collapseFeatures: collapse }).then(
      (layout) => current && setState({ status: "ready", layout }),
      (e: unknown) =>
        current && setState({ status: "error", message: e instanceof Error ? e.message : String(e) }),
    );
    return () => {
      current = false;
    };
  }, [graph, collapse]);

  const byId = useMemo(() => new Map(graph.nodes.map((n) => [n.id, n])), [graph]);
  const layout = state.status === "ready" ? state.layout : undefined;

  // The selection as drawn: a collapsed feature stands for its view.
  const shown = useMemo(() => {
    if (!layout || !selected) return null;
    if (layout.nodes.some((n) => n.id === selected)) return selected;
    const view = byId.get(selected)?.meta.featureView;
    return typeof view === "string" ? lineageNodeId("feature_view", view) : null;
  }, [layout, selected, byId]);

  const path = useMemo(() => (layout && shown ? reachable(layout, shown, "both") : null), [layout, shown]);

  const nodes = useMemo<LineageFlowNode[]>(() => {
    if (!layout) return [];
    return layout.nodes.flatMap((p) => {
      const node = byId.get(p.id);
      if (!node) return [];
      const look = !path ? "idle" : p.id === shown ? "selected" : path.nodeIds.has(p.id) ? "path" : "dimmed";
      return [
        {
          id: p.id,
          type: node.kind,
          position: { x: p.x, y: p.y },
          width: p.width,
          height: p.height,
          data: { node, href: hrefFor?.(node), state: look },
          draggable: false,
          connectable: false,
        },
      ];
    });
  }, [layout, byId, path, shown, hrefFor]);

  const edges = useMemo<Edge[]>(() => {
    if (!layout) return [];
    return layout.edges.map((e) => {
      const onPath = path?.edgeIds.has(e.id) ?? false;
      return {
        id: e.id,
        source: e.source,
        target: e.target,
        selectable: false,
        focusable: false,
        animated: onPath,
        style: onPath
          ? { stroke: "#0284c7", strokeWidth: 2 }
          : { stroke: "#a1a1aa", strokeWidth: 1, opacity: path ? 0.15 : 1 },
      };
    });
  }, [layout, path]);

  const select = (id: string | null) => {
    setSelected(id);
    onSelect?.(id);
  };

  const frame = clsx(
    "relative h-full min-h-[480px] w-full rounded-lg border border-zinc-200 bg-zinc-50",
    className,
  );

  if (graph.nodes.length === 0)
    return (
      <div className={clsx(frame, "flex items-center justify-center p-8 text-center")}>
        <div className="max-w-sm space-y-1">
          <p className="font-medium text-zinc-900">No lineage yet</p>
          <p className="text-sm text-zinc-500">
            Register a source, an entity and a feature view, and they will show up here with the services and
            consumers that read them.
          </p>
        </div>
      </div>
    );

  if (state.status !== "ready")
    return (
      <div className={clsx(frame, "flex items-center justify-center p-8 text-sm")} role="status">
        {state.status === "loading" ? (
          <span className="animate-pulse text-zinc-500">Laying out {graph.nodes.length} nodes…</span>
        ) : (
          <span className="text-red-700">Could not lay out the lineage graph: {state.message}</span>
        )}
      </div>
    );

  const featureCount = graph.nodes.filter((n) => n.kind === "feature").length;
  // Frame the selection's path when there is one; otherwise the whole drawing, if it stays readable.
  const fitNodes = path ? [...path.nodeIds].map((id) => ({ id })) : undefined;
  const fitWhole = fitNodes !== undefined || state.layout.height < FIT_WHOLE_BELOW;
  return (
    <div className={frame}>
      <ReactFlow<LineageFlowNode>
        // A new layout (graph or collapse changed) mounts afresh, so fitView frames it.
        key={`${graph.project}:${state.layout.collapsed}:${graph.nodes.length}:${graph.edges.length}`}
        nodes={nodes}
        edges={edges}
        nodeTypes={lineageNodeTypes}
        onNodeClick={(_, n) => select(n.id)}
        onPaneClick={() => select(null)}
        nodesDraggable={false}
        nodesConnectable={false}
        edgesFocusable={false}
        onlyRenderVisibleElements={nodes.length > VISIBLE_ONLY_ABOVE}
        minZoom={0.05}
        fitView={fitWhole}
        fitViewOptions={{ padding: 0.1, maxZoom: 1, nodes: fitNodes }}
        defaultViewport={{ x: 0, y: 0, zoom: READABLE_ZOOM }}
      >
        <Background gap={24} />
        <Controls showInteractive={false} />
        <MiniMap<LineageFlowNode>
          pannable
          zoomable
          nodeColor={(n) => KIND_STYLE[n.data.node.kind].color}
          nodeStrokeWidth={0}
        />
        <Panel position="top-left">
          <div className="flex flex-wrap items-center gap-2 rounded-md border border-zinc-200 bg-white/90 px-2 py-1.5 text-[11px] shadow-sm">
            {LINEAGE_KINDS.filter((k) => !(k === "feature" && state.layout.collapsed)).map((k) => (
              <span
                key={k}
                className={clsx("rounded px-1.5 py-0.5 font-semibold uppercase", KIND_STYLE[k].badge)}
              >
                {KIND_STYLE[k].label}
              </span>
            ))}
            {featureCount > 0 && (
              <label className="ml-1 flex cursor-pointer items-center gap-1 text-zinc-700">
                <input
                  type="checkbox"
                  checked={!state.layout.collapsed}
                  onChange={(e) => setCollapse(!e.target.checked)}
                />
                Show {featureCount} features
              </label>
            )}
          </div>
        </Panel>
      </ReactFlow>
    </div>
  );
}
