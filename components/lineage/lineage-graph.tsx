"use client";

import "@xyflow/react/dist/style.css";
import { Background, ControlButton, Controls, type Edge, MiniMap, ReactFlow } from "@xyflow/react";
import clsx from "clsx";
import { Map as MapIcon } from "lucide-react";
import { type KeyboardEvent, useEffect, useMemo, useState } from "react";
import { reachable } from "@/server/registry/lineage/traverse";
import {
  type LineageGraph,
  type LineageNode,
  type LineageNodeKind,
  lineageNodeId,
} from "@/server/registry/lineage/types";
import { KIND_STYLE } from "./kinds";
import type { LineageLayout } from "./layout";
import { layoutProgressively } from "./layout-client";
import { type LineageFlowNode, lineageNodeTypes } from "./lineage-node";

export interface LineageGraphProps {
  graph: LineageGraph;
  /** The node the view is focused on: drawn with a strong border, selected at first. */
  highlight?: string;
  /** The selected node, when the parent holds the selection; else the view keeps its own. */
  selected?: string | null;
  /** Called with the clicked node's id (or Enter on a focused node), or null when the pane is clicked. */
  onSelect?: (id: string | null) => void;
  /** Double-click, or Shift+Enter on a focused node: make it the focus. */
  onActivate?: (id: string) => void;
  /** Per node, how many direct neighbours are not drawn; the "+" on a node calls onExpand. */
  hiddenOf?: (id: string) => number;
  onExpand?: (id: string) => void;
  expanding?: string | null;
  /** A page to link each node to; no link when it returns undefined. */
  hrefFor?: (node: LineageNode) => string | undefined;
  /** Kinds not drawn (paths through them are bridged). */
  hideKinds?: readonly LineageNodeKind[];
  /** Fold features into view -> service edges; "auto" folds big graphs (see layout.ts). */
  collapseFeatures?: boolean | "auto";
  /** Offer the minimap (collapsible); off for compact panels. */
  minimap?: boolean;
  className?: string;
}

type LayoutState =
  | { status: "loading" }
  | { status: "ready"; layout: LineageLayout }
  | { status: "error"; message: string };

/** Above this many nodes or edges, React Flow renders only what is in view. */
const VISIBLE_ONLY_ABOVE = 60;
const VISIBLE_ONLY_ABOVE_EDGES = 300;
/** A drawing taller than this would be unreadable when fitted whole: open at its top-left instead. */
const FIT_WHOLE_BELOW = 4000;
const READABLE_ZOOM = 0.6;
/** The minimap's box (React Flow's default size) plus its margin: fitView keeps nodes out of it. */
const MINIMAP_ROOM = "232px";
const MINIMAP_ROOM_BELOW = "176px";
/** The minimap starts open on drawings of more nodes than this. */
const MAP_OPEN_ABOVE = 60;

function bounds(layout: LineageLayout, only?: { id: string }[]): { width: number; height: number } {
  const ids = only ? new Set(only.map((n) => n.id)) : undefined;
  let [x0, y0, x1, y1] = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, 0, 0];
  for (const n of layout.nodes) {
    if (ids && !ids.has(n.id)) continue;
    x0 = Math.min(x0, n.x);
    y0 = Math.min(y0, n.y);
    x1 = Math.max(x1, n.x + n.width);
    y1 = Math.max(y1, n.y + n.height);
  }
  return x1 > x0 ? { width: x1 - x0, height: y1 - y0 } : { width: 0, height: 0 };
}
/** A path of more nodes than this is framed by the selected node and its next hop only. */
const FIT_PATH_BELOW = 40;
/** Framing a selection never zooms out further than this: small but legible. */
const MIN_FIT_ZOOM = 0.35;

function fitSet(layout: LineageLayout, id: string, path: Set<string>): string[] {
  if (path.size <= FIT_PATH_BELOW) return [...path];
  const near = new Set([id]);
  for (const e of layout.edges) {
    if (e.source === id) near.add(e.target);
    if (e.target === id) near.add(e.source);
  }
  return [...near];
}

/**
 * The lineage DAG: draws the column layout at once, then ELK's from a Web Worker when it is in
 * before the deadline (layout-client.ts), and renders it with React Flow. Clicking a node selects it and lights up
 * everything up- and downstream of it; nodes are focusable and named for assistive technology.
 */
export function LineageGraphView({
  graph,
  highlight,
  selected: selectedProp,
  onSelect,
  onActivate,
  hiddenOf,
  onExpand,
  expanding,
  hrefFor,
  hideKinds,
  collapseFeatures,
  minimap = true,
  className,
}: LineageGraphProps) {
  const featureHighlighted = highlight?.startsWith("feature:") ?? false;
  const collapse = collapseFeatures ?? (featureHighlighted ? false : "auto");
  const [ownSelected, setOwnSelected] = useState<string | null>(highlight ?? null);
  const selected = selectedProp !== undefined ? selectedProp : ownSelected;
  const [state, setState] = useState<LayoutState>({ status: "loading" });
  // The map is offered on every drawing and open at first on big ones, where it helps to find one's way.
  const [showMap, setShowMap] = useState<boolean | undefined>(undefined);
  const hideKey = (hideKinds ?? []).join(",");

  useEffect(() => {
    setOwnSelected(highlight ?? null);
  }, [highlight]);

  useEffect(() => {
    const hide = hideKey ? (hideKey.split(",") as LineageNodeKind[]) : [];
    try {
      return layoutProgressively(
        graph,
        { collapseFeatures: collapse, hideKinds: hide, keep: highlight },
        (layout) => setState({ status: "ready", layout }),
      );
    } catch (e) {
      setState({ status: "error", message: e instanceof Error ? e.message : String(e) });
    }
  }, [graph, collapse, hideKey, highlight]);

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
          ariaLabel: `${KIND_STYLE[node.kind].label} ${node.kind === "feature" ? `${node.meta.featureView}:${node.name}` : node.name}${p.id === shown ? ", selected" : ""}`,
          data: {
            node,
            href: hrefFor?.(node),
            state: look,
            focus: p.id === highlight,
            hidden: hiddenOf?.(p.id) ?? 0,
            expanding: expanding === p.id,
            onExpand,
          },
          draggable: false,
          connectable: false,
        },
      ];
    });
  }, [layout, byId, path, shown, hrefFor, highlight, hiddenOf, expanding, onExpand]);

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
        // Not animated: hundreds of dash animations on a big path repaint the graph every frame.
        style: onPath
          ? { stroke: "#0284c7", strokeWidth: 2 }
          : { stroke: "#a1a1aa", strokeWidth: 1, opacity: path ? 0.15 : 1 },
      };
    });
  }, [layout, path]);

  const select = (id: string | null) => {
    setOwnSelected(id);
    onSelect?.(id);
  };

  // Keys on a focused node (React Flow makes nodes focusable): Enter selects, Shift+Enter refocuses.
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== "Enter") return;
    const el = (e.target as HTMLElement).closest?.(".react-flow__node");
    const id = el?.getAttribute("data-id");
    if (!id || e.target !== el) return;
    e.preventDefault();
    if (e.shiftKey && onActivate) onActivate(id);
    else select(id);
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

  // Frame the selection's path when there is one (only the node and its next hop when the path is
  // big); otherwise the whole drawing, if it stays readable.
  const fitNodes = path ? fitSet(state.layout, shown ?? "", path.nodeIds).map((id) => ({ id })) : undefined;
  const fitWhole = fitNodes !== undefined || state.layout.height < FIT_WHOLE_BELOW;
  // Open at first only on a big drawing without a focus: around a focus, the map would sit on nodes.
  const mapShown = minimap && (showMap ?? (!highlight && state.layout.nodes.length > MAP_OPEN_ABOVE));
  // Nodes keep out of the minimap's corner: below a wide drawing, beside a tall one.
  const box = bounds(state.layout, fitNodes);
  const mapBelow = box.width > box.height * 2;
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: keys reach here from the focusable nodes inside
    <div
      className={frame}
      data-testid="lineage-graph"
      data-layout-engine={state.layout.engine}
      data-node-count={state.layout.nodes.length}
      onKeyDown={onKeyDown}
    >
      <ReactFlow<LineageFlowNode>
        // A new layout (graph, kinds or collapse changed) mounts afresh, so fitView frames it.
        key={`${graph.project}:${state.layout.collapsed}:${hideKey}:${state.layout.nodes.length}:${state.layout.edges.length}:${highlight ?? ""}:${state.layout.engine}`}
        nodes={nodes}
        edges={edges}
        nodeTypes={lineageNodeTypes}
        onNodeClick={(_, n) => select(n.id)}
        onNodeDoubleClick={(_, n) => onActivate?.(n.id)}
        onPaneClick={() => select(null)}
        zoomOnDoubleClick={false}
        nodesDraggable={false}
        nodesConnectable={false}
        nodesFocusable
        edgesFocusable={false}
        onlyRenderVisibleElements={
          nodes.length > VISIBLE_ONLY_ABOVE || edges.length > VISIBLE_ONLY_ABOVE_EDGES
        }
        minZoom={0.05}
        fitView={fitWhole}
        fitViewOptions={{
          minZoom: fitNodes ? MIN_FIT_ZOOM : undefined,
          padding: {
            top: "24px",
            bottom: mapShown && mapBelow ? MINIMAP_ROOM_BELOW : "24px",
            left: "56px",
            right: mapShown && !mapBelow ? MINIMAP_ROOM : "32px",
          },
          maxZoom: 1,
          nodes: fitNodes,
        }}
        // A drawing too tall to fit opens at its top-left, right of the zoom controls.
        defaultViewport={{ x: 48, y: 0, zoom: READABLE_ZOOM }}
      >
        <Background gap={24} />
        <Controls showInteractive={false}>
          {minimap && (
            <ControlButton
              onClick={() => setShowMap(!mapShown)}
              aria-pressed={mapShown}
              aria-label={mapShown ? "Hide map" : "Show map"}
              title={mapShown ? "Hide map" : "Show map"}
            >
              <MapIcon aria-hidden />
            </ControlButton>
          )}
        </Controls>
        {mapShown && (
          <MiniMap<LineageFlowNode>
            pannable
            zoomable
            ariaLabel="Lineage minimap"
            nodeColor={(n) => KIND_STYLE[n.data.node.kind].color}
            nodeStrokeWidth={0}
          />
        )}
      </ReactFlow>
    </div>
  );
}
