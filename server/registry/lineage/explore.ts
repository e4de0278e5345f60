import "server-only";
import { foldKinds } from "./traverse";
import {
  LINEAGE_KINDS,
  type LineageDirection,
  type LineageGraph,
  type LineageNode,
  type LineageNodeKind,
} from "./types";

/**
 * Bounded views of a project's lineage graph, for pages that must not ship the whole graph: the
 * neighbourhood of one node under a depth, a node cap and a per-node fan-out cap, with each node's
 * direct neighbour counts so the client knows what it can expand; a summary (counts per kind, the
 * objects with most fan-out); an overview small enough to draw; a search by name. Pure: the
 * lineage services call these on the graph they built (server/registry/lineage.ts).
 */

/** A node's direct neighbours in the whole graph, and how many of them the answer leaves out. */
export interface NodeCounts {
  upstream: number;
  downstream: number;
  hiddenUpstream: number;
  hiddenDownstream: number;
}

export interface LineageNeighborhood extends LineageGraph {
  focus: string;
  /** Something was left out by the node cap or a node's fan-out cap (not only by depth). */
  truncated: boolean;
  /** Every returned node's counts. */
  counts: Record<string, NodeCounts>;
}

export interface NeighborhoodLimits {
  direction: LineageDirection;
  /** Hops from the focus. */
  depth: number;
  /** At most this many nodes, the focus included. */
  limit: number;
  /** At most this many neighbours taken from one node in one direction. */
  fanout: number;
}

interface Adjacency {
  up: Map<string, string[]>;
  down: Map<string, string[]>;
}

function adjacency(graph: Pick<LineageGraph, "edges">): Adjacency {
  const up = new Map<string, string[]>();
  const down = new Map<string, string[]>();
  for (const e of graph.edges) {
    push(down, e.source, e.target);
    push(up, e.target, e.source);
  }
  return { up, down };
}

/**
 * The focus, its ancestors (upstream) and/or descendants (downstream), breadth first, one hop of
 * each direction in turn, so neither side takes the whole budget; "both" is ancestors and
 * descendants, not siblings. Edges are every edge between the nodes taken.
 */
export function neighborhood(
  graph: LineageGraph,
  focus: string,
  limits: NeighborhoodLimits,
): LineageNeighborhood {
  const adj = adjacency(graph);
  const taken = new Set<string>([focus]);
  let truncated = false;
  const sides: ("up" | "down")[] =
    limits.direction === "both" ? ["up", "down"] : [limits.direction === "upstream" ? "up" : "down"];
  const frontier = new Map<"up" | "down", string[]>(sides.map((s) => [s, [focus]]));
  for (let hop = 0; hop < limits.depth; hop++) {
    let moved = false;
    for (const side of sides) {
      const next: string[] = [];
      for (const id of frontier.get(side) ?? []) {
        const around = (adj[side].get(id) ?? []).filter((n) => !taken.has(n));
        if (around.length > limits.fanout) truncated = true;
        for (const n of around.slice(0, limits.fanout)) {
          if (taken.size >= limits.limit) {
            truncated = true;
            break;
          }
          taken.add(n);
          next.push(n);
        }
      }
      frontier.set(side, next);
      if (next.length > 0) moved = true;
    }
    if (!moved) break;
  }
  const nodes = graph.nodes.filter((n) => taken.has(n.id));
  const edges = graph.edges.filter((e) => taken.has(e.source) && taken.has(e.target));
  return { project: graph.project, focus, nodes, edges, truncated, counts: countsOf(adj, nodes, edges) };
}

function countsOf(
  adj: Adjacency,
  nodes: LineageNode[],
  edges: LineageGraph["edges"],
): Record<string, NodeCounts> {
  const shownUp = new Map<string, number>();
  const shownDown = new Map<string, number>();
  for (const e of edges) {
    shownDown.set(e.source, (shownDown.get(e.source) ?? 0) + 1);
    shownUp.set(e.target, (shownUp.get(e.target) ?? 0) + 1);
  }
  const counts: Record<string, NodeCounts> = {};
  for (const n of nodes) {
    const upstream = adj.up.get(n.id)?.length ?? 0;
    const downstream = adj.down.get(n.id)?.length ?? 0;
    counts[n.id] = {
      upstream,
      downstream,
      hiddenUpstream: upstream - (shownUp.get(n.id) ?? 0),
      hiddenDownstream: downstream - (shownDown.get(n.id) ?? 0),
    };
  }
  return counts;
}

export interface TopNode {
  id: string;
  kind: LineageNodeKind;
  name: string;
  owner: string;
  /** Sources: the views they feed; views: the services and datasets reading them; services: their consumers. */
  fanout: number;
}

export interface LineageSummary {
  project: string;
  counts: Record<LineageNodeKind, number>;
  edges: number;
  top: { sources: TopNode[]; views: TopNode[]; services: TopNode[] };
}

export function summarize(graph: LineageGraph, top = 8): LineageSummary {
  const counts = Object.fromEntries(LINEAGE_KINDS.map((k) => [k, 0])) as Record<LineageNodeKind, number>;
  for (const n of graph.nodes) counts[n.kind]++;
  const adj = adjacency(graph);
  const kindOf = new Map(graph.nodes.map((n) => [n.id, n.kind]));
  const readersOfView = (id: string): number => {
    const readers = new Set<string>();
    for (const child of adj.down.get(id) ?? []) {
      if (kindOf.get(child) === "feature") for (const r of adj.down.get(child) ?? []) readers.add(r);
      else if (kindOf.get(child) === "dataset") readers.add(child);
    }
    return readers.size;
  };
  const rank = (kind: LineageNodeKind, fanout: (id: string) => number): TopNode[] =>
    graph.nodes
      .filter((n) => n.kind === kind)
      .map((n) => ({
        id: n.id,
        kind: n.kind,
        name: n.name,
        owner: typeof n.meta.owner === "string" ? n.meta.owner : "",
        fanout: fanout(n.id),
      }))
      .sort((a, b) => b.fanout - a.fanout || a.name.localeCompare(b.name))
      .slice(0, top);
  const outDegree = (id: string) => adj.down.get(id)?.length ?? 0;
  return {
    project: graph.project,
    counts,
    edges: graph.edges.length,
    top: {
      sources: rank("source", outDegree),
      views: rank("feature_view", readersOfView),
      services: rank("feature_service", outDegree),
    },
  };
}

/** The graph with features folded into view -> service edges, when that fits under `cap` nodes. */
export function overview(graph: LineageGraph, cap: number): LineageNeighborhood | null {
  const folded = foldKinds(graph, new Set<LineageNodeKind>(["feature"]));
  if (folded.nodes.length > cap) return null;
  const adj = adjacency(folded);
  return {
    ...folded,
    focus: "",
    truncated: folded.nodes.length < graph.nodes.length,
    counts: countsOf(adj, folded.nodes, folded.edges),
  };
}

export interface SearchHit {
  id: string;
  kind: LineageNodeKind;
  name: string;
  /** What to show: a feature as "view:feature", others by name. */
  label: string;
}

/**
 * Nodes whose name (a feature's "view:feature" too) contains `q`, case-insensitively: exact names
 * first, then prefixes, then the rest, each in column order and by name.
 */
export function searchNodes(graph: LineageGraph, q: string, limit: number): SearchHit[] {
  const needle = q.trim().toLowerCase();
  if (needle === "") return [];
  const kindRank = new Map(LINEAGE_KINDS.map((k, i) => [k, i]));
  const hits: { hit: SearchHit; score: number }[] = [];
  for (const n of graph.nodes) {
    const label =
      n.kind === "feature" && typeof n.meta.featureView === "string"
        ? `${n.meta.featureView}:${n.name}`
        : n.name;
    const name = n.name.toLowerCase();
    const full = label.toLowerCase();
    const score =
      name === needle || full === needle
        ? 0
        : name.startsWith(needle) || full.startsWith(needle)
          ? 1
          : full.includes(needle)
            ? 2
            : -1;
    if (score >= 0) hits.push({ hit: { id: n.id, kind: n.kind, name: n.name, label }, score });
  }
  hits.sort(
    (a, b) =>
      a.score - b.score ||
      (kindRank.get(a.hit.kind) ?? 0) - (kindRank.get(b.hit.kind) ?? 0) ||
      a.hit.label.localeCompare(b.hit.label),
  );
  return hits.slice(0, limit).map((h) => h.hit);
}

function push(m: Map<string, string[]>, k: string, v: string): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}
