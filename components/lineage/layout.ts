import ElkConstructor from "elkjs/lib/elk.bundled.js";
import type { ELK, ElkNode } from "elkjs/lib/elk-api";
import {
  type LineageEdge,
  type LineageGraph,
  type LineageNode,
  type LineageNodeKind,
  lineageEdgeId,
} from "@/server/registry/lineage/types";
import { orderColumns, ranks } from "./order";

/**
 * Lineage layout: a pure module (no React, no DOM) that turns a LineageGraph into positions with
 * ELK's layered algorithm, left to right. Positions are top-left anchored, as React Flow expects.
 * The component renders exactly what this returns.
 */

export interface LayoutOptions {
  /**
   * Hide feature nodes and draw feature_view -> feature_service edges instead. "auto" (the default)
   * collapses when the graph has more than `collapseAbove` feature nodes.
   */
  collapseFeatures?: boolean | "auto";
  /** Feature-node count above which "auto" collapses. */
  collapseAbove?: number;
  /** The ELK instance to use (e.g. one backed by a Web Worker); a shared in-thread one by default. */
  elk?: Pick<ELK, "layout">;
}

export interface PositionedNode {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LineageLayout {
  nodes: PositionedNode[];
  edges: LineageEdge[];
  /** Whether feature nodes were folded into view -> service edges. */
  collapsed: boolean;
  /** The bounding box of the whole drawing. */
  width: number;
  height: number;
}

export const DEFAULT_COLLAPSE_ABOVE = 400;

/** Columns, left to right: where data comes from, to who reads it. */
export const COLUMN_OF: Record<LineageNodeKind, number> = {
  source: 0,
  entity: 0,
  feature_view: 1,
  feature: 2,
  feature_service: 3,
  // Beside the services: both read views' features, and consumers read (or trained on) them.
  dataset: 3,
  consumer: 4,
};

// Sizes are estimates of what the node component draws: a badge line above a name line in text-sm.
const CHAR_WIDTH = 8;
// Horizontal padding plus the link icon beside the name.
const PADDING_X = 52;
const SIZES: Record<LineageNodeKind, { minWidth: number; maxWidth: number; height: number }> = {
  source: { minWidth: 160, maxWidth: 280, height: 56 },
  entity: { minWidth: 140, maxWidth: 260, height: 56 },
  feature_view: { minWidth: 180, maxWidth: 300, height: 56 },
  feature: { minWidth: 140, maxWidth: 240, height: 48 },
  feature_service: { minWidth: 180, maxWidth: 300, height: 56 },
  dataset: { minWidth: 180, maxWidth: 300, height: 56 },
  consumer: { minWidth: 160, maxWidth: 280, height: 56 },
};

/** A node's box: height by kind, width by label length within the kind's bounds (the component truncates). */
export function nodeSize(node: Pick<LineageNode, "kind" | "label">): { width: number; height: number } {
  const s = SIZES[node.kind];
  const width = Math.min(
    s.maxWidth,
    Math.max(s.minWidth, Math.ceil(node.label.length * CHAR_WIDTH + PADDING_X)),
  );
  return { width, height: s.height };
}

const PADDING = 16;
/** Horizontal gap between columns, room for the edges fanning in and out. */
const COLUMN_GAP = 120;

const LAYOUT_OPTIONS: Record<string, string> = {
  "elk.algorithm": "layered",
  "elk.direction": "RIGHT",
  // One drawing, not packed components: columns must line up across the whole project.
  "elk.separateConnectedComponents": "false",
  // Layers come from the x we give (one x per column), so every kind keeps its column, even nodes
  // without edges. (ELK's partitioning does the same but costs seconds on a few hundred nodes.)
  "elk.layered.layering.strategy": "INTERACTIVE",
  // The order inside a column comes from the y we give (see order.ts): ELK's layer sweep is the
  // slowest phase on big columns.
  "elk.layered.crossingMinimization.strategy": "INTERACTIVE",
  "elk.layered.crossingMinimization.greedySwitch.type": "OFF",
  // React Flow draws its own edges and x comes from the columns; polyline is the cheapest router.
  "elk.edgeRouting": "POLYLINE",
  "elk.spacing.nodeNode": "14",
  "elk.padding": `[top=${PADDING},left=${PADDING},bottom=${PADDING},right=${PADDING}]`,
};

/** Spacing of the hint coordinates given to ELK; only their order matters. */
const HINT_STEP = 10_000;

let sharedElk: Pick<ELK, "layout"> | undefined;

/** One in-thread ELK for the page: creating one registers every algorithm again. */
function defaultElk(): Pick<ELK, "layout"> {
  if (!sharedElk) sharedElk = new ElkConstructor();
  return sharedElk;
}

export async function layoutLineage(graph: LineageGraph, opts: LayoutOptions = {}): Promise<LineageLayout> {
  const { nodes, edges, collapsed } = visibleGraph(graph, opts);
  if (nodes.length === 0) return { nodes: [], edges: [], collapsed, width: 0, height: 0 };

  const columns = orderColumns({ nodes: nodes.map((n) => ({ id: n.id, column: COLUMN_OF[n.kind] })), edges });
  const sizes = new Map(nodes.map((n) => [n.id, nodeSize(n)]));
  const rank = ranks(columns);
  const root: ElkNode = {
    id: "root",
    layoutOptions: LAYOUT_OPTIONS,
    children: nodes.map((n) => ({
      id: n.id,
      ...sizes.get(n.id),
      x: COLUMN_OF[n.kind] * HINT_STEP,
      y: (rank.get(n.id) ?? 0) * HINT_STEP,
    })),
    edges: edges.map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  };
  const elk = opts.elk ?? defaultElk();
  const out = await elk.layout(root);

  // ELK gives y (order and compaction inside a column). x is the column's left edge: ELK would widen
  // the gaps for routes of its own that React Flow never draws.
  const columnLeft = new Map<number, number>();
  let left = PADDING;
  for (const column of [...columns.keys()].sort((a, b) => a - b)) {
    columnLeft.set(column, left);
    const widest = Math.max(...(columns.get(column) ?? []).map((id) => sizes.get(id)?.width ?? 0));
    left += widest + COLUMN_GAP;
  }
  const kindOf = new Map(nodes.map((n) => [n.id, n.kind]));
  const positioned: PositionedNode[] = (out.children ?? []).map((c) => {
    const kind = kindOf.get(c.id);
    return {
      id: c.id,
      x: kind ? (columnLeft.get(COLUMN_OF[kind]) ?? 0) : (c.x ?? 0),
      y: c.y ?? 0,
      width: c.width ?? 0,
      height: c.height ?? 0,
    };
  });
  return { nodes: positioned, edges, collapsed, width: left - COLUMN_GAP + PADDING, height: out.height ?? 0 };
}

/** The nodes and edges to draw: the graph itself, or with features folded into view -> service edges. */
export function visibleGraph(
  graph: LineageGraph,
  opts: Pick<LayoutOptions, "collapseFeatures" | "collapseAbove"> = {},
): { nodes: LineageNode[]; edges: LineageEdge[]; collapsed: boolean } {
  const featureCount = graph.nodes.filter((n) => n.kind === "feature").length;
  const mode = opts.collapseFeatures ?? "auto";
  const collapsed =
    featureCount > 0 &&
    (mode === "auto" ? featureCount > (opts.collapseAbove ?? DEFAULT_COLLAPSE_ABOVE) : mode);
  if (!collapsed) return { nodes: graph.nodes, edges: graph.edges, collapsed };

  const features = new Set(graph.nodes.filter((n) => n.kind === "feature").map((n) => n.id));
  const viewsOf = new Map<string, string[]>();
  for (const e of graph.edges) {
    if (!features.has(e.target)) continue;
    const list = viewsOf.get(e.target);
    if (list) list.push(e.source);
    else viewsOf.set(e.target, [e.source]);
  }
  const edges = new Map<string, LineageEdge>();
  for (const e of graph.edges) {
    if (features.has(e.target)) continue;
    if (!features.has(e.source)) {
      edges.set(e.id, e);
      continue;
    }
    for (const view of viewsOf.get(e.source) ?? []) {
      const id = lineageEdgeId(view, e.target);
      edges.set(id, { id, source: view, target: e.target });
    }
  }
  return { nodes: graph.nodes.filter((n) => !features.has(n.id)), edges: [...edges.values()], collapsed };
}
