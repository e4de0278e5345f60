import type { ELK, ElkNode } from "elkjs/lib/elk-api";
import { foldKinds } from "@/server/registry/lineage/traverse";
import type {
  LineageEdge,
  LineageGraph,
  LineageNode,
  LineageNodeKind,
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
  /** Kinds not drawn; paths through them are bridged (see foldKinds). */
  hideKinds?: readonly LineageNodeKind[];
  /** A node drawn even when its kind is hidden (the node in focus). */
  keep?: string;
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
  /** Who placed the nodes: ELK, or the column fallback (ELK late or failed). */
  engine: "elk" | "columns";
}

export const DEFAULT_COLLAPSE_ABOVE = 400;

/**
 * Each kind's leftmost column: where data comes from, to who reads it. A node goes further right
 * when something upstream of it is drawn at or right of its column (see `nodeColumns`): a
 * transformation's output source lands right of the transformation, an on-demand view's features
 * right of the view, so edges always point right.
 */
export const COLUMN_OF: Record<LineageNodeKind, number> = {
  source: 0,
  transformation: 1,
  // Beside a transformation's output source (column 2), right before the views they key.
  entity: 2,
  feature_view: 3,
  stream_view: 3,
  feature: 4,
  on_demand_view: 5,
  feature_service: 7,
  // Beside the services: both read views' features, and consumers read (or trained on) them.
  dataset: 7,
  consumer: 8,
};

// Sizes are estimates of what the node component draws: a badge line above a name line in text-sm.
const CHAR_WIDTH = 8;
// Horizontal padding plus the link icon beside the name.
const PADDING_X = 52;
const SIZES: Record<LineageNodeKind, { minWidth: number; maxWidth: number; height: number }> = {
  source: { minWidth: 160, maxWidth: 280, height: 56 },
  transformation: { minWidth: 180, maxWidth: 300, height: 56 },
  stream_view: { minWidth: 180, maxWidth: 300, height: 56 },
  on_demand_view: { minWidth: 180, maxWidth: 300, height: 56 },
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
/** Vertical gap between nodes of a column in the fallback layout (ELK's elk.spacing.nodeNode). */
const NODE_GAP = 14;
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

let sharedElk: Promise<Pick<ELK, "layout">> | undefined;

/**
 * One in-thread ELK (tests, and pages without Worker support): creating one registers every
 * algorithm again. Loaded on first use, so the page's own bundle does not carry ELK.
 */
function defaultElk(): Promise<Pick<ELK, "layout">> {
  sharedElk ??= import("elkjs/lib/elk.bundled.js").then((m) => new m.default());
  return sharedElk;
}

export async function layoutLineage(graph: LineageGraph, opts: LayoutOptions = {}): Promise<LineageLayout> {
  const { nodes, edges, collapsed } = visibleGraph(graph, opts);
  if (nodes.length === 0) return { nodes: [], edges: [], collapsed, width: 0, height: 0, engine: "elk" };

  const { columns, sizes, rank, columnOf } = prepare(nodes, edges);
  const root: ElkNode = {
    id: "root",
    layoutOptions: LAYOUT_OPTIONS,
    children: nodes.map((n) => ({
      id: n.id,
      ...sizes.get(n.id),
      x: (columnOf.get(n.id) ?? 0) * HINT_STEP,
      y: (rank.get(n.id) ?? 0) * HINT_STEP,
    })),
    edges: edges.map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  };
  const elk = opts.elk ?? (await defaultElk());
  const out = await elk.layout(root);

  // ELK gives y (order and compaction inside a column). x is the column's left edge: ELK would widen
  // the gaps for routes of its own that React Flow never draws.
  const { columnLeft, width } = columnEdges(columns, sizes);
  const positioned: PositionedNode[] = (out.children ?? []).map((c) => {
    const column = columnOf.get(c.id);
    return {
      id: c.id,
      x: column !== undefined ? (columnLeft.get(column) ?? 0) : (c.x ?? 0),
      y: c.y ?? 0,
      width: c.width ?? 0,
      height: c.height ?? 0,
    };
  });
  return { nodes: positioned, edges, collapsed, width, height: out.height ?? 0, engine: "elk" };
}

/**
 * The fallback when ELK is late or fails: the same columns and order (order.ts), each column
 * stacked top-down at ELK's node spacing. Synchronous and O(sweeps * E log E), a few ms for
 * thousands of nodes; less compact than ELK (no Brandes-Koepf alignment), never overlapping.
 */
export function columnLayout(graph: LineageGraph, opts: LayoutOptions = {}): LineageLayout {
  const { nodes, edges, collapsed } = visibleGraph(graph, opts);
  if (nodes.length === 0) return { nodes: [], edges: [], collapsed, width: 0, height: 0, engine: "columns" };
  const { columns, sizes } = prepare(nodes, edges);
  const { columnLeft, width } = columnEdges(columns, sizes);
  const positioned: PositionedNode[] = [];
  let height = 0;
  for (const [column, ids] of columns) {
    let y = PADDING;
    for (const id of ids) {
      const size = sizes.get(id) ?? { width: 0, height: 0 };
      positioned.push({ id, x: columnLeft.get(column) ?? 0, y, ...size });
      y += size.height + NODE_GAP;
    }
    height = Math.max(height, y - NODE_GAP + PADDING);
  }
  return { nodes: positioned, edges, collapsed, width, height, engine: "columns" };
}

/**
 * Runs `layout` (ELK, in a worker or not) and answers the column layout instead when it has not
 * finished within `deadlineMs` or fails; `onLate` is told so that the caller can stop the work.
 */
export function layoutWithDeadline(
  graph: LineageGraph,
  opts: LayoutOptions,
  layout: (graph: LineageGraph, opts: LayoutOptions) => Promise<LineageLayout>,
  deadlineMs: number,
  onLate?: () => void,
): Promise<LineageLayout> {
  return new Promise((resolve) => {
    let done = false;
    const fallback = () => {
      if (done) return;
      done = true;
      onLate?.();
      resolve(columnLayout(graph, opts));
    };
    const timer = setTimeout(fallback, deadlineMs);
    layout(graph, opts).then(
      (out) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve(out);
      },
      () => {
        clearTimeout(timer);
        fallback();
      },
    );
  });
}

function prepare(nodes: LineageNode[], edges: LineageEdge[]) {
  const columnOf = nodeColumns(nodes, edges);
  const columns = orderColumns({
    nodes: nodes.map((n) => ({ id: n.id, column: columnOf.get(n.id) ?? 0 })),
    edges,
  });
  const sizes = new Map(nodes.map((n) => [n.id, nodeSize(n)]));
  return { columns, sizes, rank: ranks(columns), columnOf };
}

/**
 * Each node's column: its kind's (COLUMN_OF), or one right of its rightmost upstream neighbour when
 * that is further right (longest path, in topological order). So a transformation's output source
 * sits right of the transformation, a chain of transformations widens the drawing by two columns a
 * link, and an on-demand view's features sit right of it. Nodes on a cycle (transformations reading
 * each other's outputs) keep their kind's column.
 */
export function nodeColumns(
  nodes: Pick<LineageNode, "id" | "kind">[],
  edges: Pick<LineageEdge, "source" | "target">[],
): Map<string, number> {
  const column = new Map(nodes.map((n) => [n.id, COLUMN_OF[n.kind]]));
  const out = new Map<string, string[]>();
  const indegree = new Map(nodes.map((n) => [n.id, 0]));
  for (const e of edges) {
    if (!column.has(e.source) || !column.has(e.target)) continue;
    const list = out.get(e.source);
    if (list) list.push(e.target);
    else out.set(e.source, [e.target]);
    indegree.set(e.target, (indegree.get(e.target) ?? 0) + 1);
  }
  const ready = nodes.filter((n) => indegree.get(n.id) === 0).map((n) => n.id);
  while (ready.length > 0) {
    const id = ready.pop() as string;
    const at = column.get(id) ?? 0;
    for (const next of out.get(id) ?? []) {
      if ((column.get(next) ?? 0) <= at) column.set(next, at + 1);
      const left = (indegree.get(next) ?? 0) - 1;
      indegree.set(next, left);
      if (left === 0) ready.push(next);
    }
  }
  return column;
}

/** Each column's left edge, columns spaced by their widest node; and the drawing's width. */
function columnEdges(
  columns: Map<number, string[]>,
  sizes: Map<string, { width: number }>,
): { columnLeft: Map<number, number>; width: number } {
  const columnLeft = new Map<number, number>();
  let left = PADDING;
  for (const column of [...columns.keys()].sort((a, b) => a - b)) {
    columnLeft.set(column, left);
    const widest = Math.max(...(columns.get(column) ?? []).map((id) => sizes.get(id)?.width ?? 0));
    left += widest + COLUMN_GAP;
  }
  return { columnLeft, width: left - COLUMN_GAP + PADDING };
}

/**
 * The nodes and edges to draw: the graph without the kinds in `hideKinds`, and with features folded
 * into view -> service edges when `collapseFeatures` says so; hidden nodes are bridged (foldKinds).
 */
export function visibleGraph(
  graph: LineageGraph,
  opts: Pick<LayoutOptions, "collapseFeatures" | "collapseAbove" | "hideKinds" | "keep"> = {},
): { nodes: LineageNode[]; edges: LineageEdge[]; collapsed: boolean } {
  const featureCount = graph.nodes.filter((n) => n.kind === "feature").length;
  const mode = opts.collapseFeatures ?? "auto";
  const collapsed =
    featureCount > 0 &&
    (mode === "auto" ? featureCount > (opts.collapseAbove ?? DEFAULT_COLLAPSE_ABOVE) : mode);
  const hidden = new Set<LineageNodeKind>(opts.hideKinds ?? []);
  if (collapsed) hidden.add("feature");
  const { nodes, edges } = foldKinds(graph, hidden, new Set(opts.keep ? [opts.keep] : []));
  return { nodes, edges, collapsed };
}
