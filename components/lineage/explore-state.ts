import type { LineageNeighborhood, NodeCounts } from "@/server/registry/lineage/explore";
import { LINEAGE_KINDS, type LineageDirection, type LineageNodeKind } from "@/server/registry/lineage/types";

/**
 * The lineage page's pure state: the query inputs it asks the server with (the page prefetches the
 * same ones), and the graph grown by expanding nodes one hop at a time. No React.
 */

/** Hops, node cap and per-node fan-out of the focused view: small enough to draw at once. */
export const FOCUS_DEPTH = 3;
export const FOCUS_LIMIT = 120;
export const FOCUS_FANOUT = 15;
/** One "+" asks for the node's next hop, both ways, up to this many new neighbours. */
export const EXPAND_FANOUT = 60;
export const EXPAND_LIMIT = 200;
/** Above this many nodes the page shows the summary instead of drawing. */
export const MAX_DRAWN = 1500;

export function focusInput(project: string, nodeId: string, direction: LineageDirection) {
  return { project, nodeId, direction, depth: FOCUS_DEPTH, limit: FOCUS_LIMIT, fanout: FOCUS_FANOUT };
}

export function expandInput(project: string, nodeId: string) {
  return {
    project,
    nodeId,
    direction: "both" as const,
    depth: 1,
    limit: EXPAND_LIMIT,
    fanout: EXPAND_FANOUT,
  };
}

const KIND_ORDER = new Map(LINEAGE_KINDS.map((k, i) => [k, i]));

/**
 * Several answers as one graph: nodes and edges united (column order kept: kinds left to right,
 * then the order they came in), each node's counts recomputed against the edges now drawn.
 */
export function mergeNeighborhoods(parts: LineageNeighborhood[]): LineageNeighborhood {
  const [first, ...rest] = parts;
  if (!first) throw new Error("nothing to merge");
  if (rest.length === 0) return first;
  const nodes = new Map(first.nodes.map((n) => [n.id, n]));
  const edges = new Map(first.edges.map((e) => [e.id, e]));
  const totals: Record<string, NodeCounts> = { ...first.counts };
  for (const part of rest) {
    for (const n of part.nodes) if (!nodes.has(n.id)) nodes.set(n.id, n);
    for (const e of part.edges) if (!edges.has(e.id)) edges.set(e.id, e);
    Object.assign(totals, part.counts);
  }
  const ordered = [...nodes.values()]
    .map((n, i) => ({ n, i }))
    .sort((a, b) => (KIND_ORDER.get(a.n.kind) ?? 0) - (KIND_ORDER.get(b.n.kind) ?? 0) || a.i - b.i)
    .map(({ n }) => n);
  const edgeList = [...edges.values()];
  return {
    project: first.project,
    focus: first.focus,
    nodes: ordered,
    edges: edgeList,
    truncated: parts.some((p) => p.truncated),
    counts: recount(ordered, edgeList, totals),
  };
}

/** Each node's hidden neighbours: its totals less the edges drawn to and from it. */
export function recount(
  nodes: { id: string }[],
  edges: { source: string; target: string }[],
  totals: Record<string, Pick<NodeCounts, "upstream" | "downstream">>,
): Record<string, NodeCounts> {
  const up = new Map<string, number>();
  const down = new Map<string, number>();
  for (const e of edges) {
    down.set(e.source, (down.get(e.source) ?? 0) + 1);
    up.set(e.target, (up.get(e.target) ?? 0) + 1);
  }
  const out: Record<string, NodeCounts> = {};
  for (const { id } of nodes) {
    const t = totals[id];
    if (!t) continue;
    out[id] = {
      upstream: t.upstream,
      downstream: t.downstream,
      hiddenUpstream: Math.max(0, t.upstream - (up.get(id) ?? 0)),
      hiddenDownstream: Math.max(0, t.downstream - (down.get(id) ?? 0)),
    };
  }
  return out;
}

/** How many nodes of each kind a graph holds. */
export function countKinds(nodes: { kind: LineageNodeKind }[]): Record<LineageNodeKind, number> {
  const counts = Object.fromEntries(LINEAGE_KINDS.map((k) => [k, 0])) as Record<LineageNodeKind, number>;
  for (const n of nodes) counts[n.kind]++;
  return counts;
}
