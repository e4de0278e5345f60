import {
  type LineageDirection,
  type LineageEdge,
  type LineageGraph,
  type LineageNodeKind,
  lineageEdgeId,
} from "./types";

/**
 * The part of a graph reachable from `start` following edges forwards (downstream), backwards
 * (upstream) or both, at most `depth` hops away (unlimited when omitted). "both" is the node's
 * ancestors and descendants, not its whole connected component. Pure: used by the server's
 * getNeighborhood and by the component to highlight a selected node's path.
 */
export function reachable(
  graph: Pick<LineageGraph, "edges">,
  start: string,
  direction: LineageDirection,
  depth = Number.POSITIVE_INFINITY,
): { nodeIds: Set<string>; edgeIds: Set<string> } {
  const nodeIds = new Set<string>([start]);
  const edgeIds = new Set<string>();
  if (direction === "upstream" || direction === "both")
    walk(graph.edges, start, "upstream", depth, nodeIds, edgeIds);
  if (direction === "downstream" || direction === "both")
    walk(graph.edges, start, "downstream", depth, nodeIds, edgeIds);
  return { nodeIds, edgeIds };
}

function walk(
  edges: LineageEdge[],
  start: string,
  direction: "upstream" | "downstream",
  depth: number,
  nodeIds: Set<string>,
  edgeIds: Set<string>,
): void {
  const next = new Map<string, LineageEdge[]>();
  for (const e of edges) {
    const from = direction === "downstream" ? e.source : e.target;
    const list = next.get(from);
    if (list) list.push(e);
    else next.set(from, [e]);
  }
  // Breadth-first, so a node's distance is its shortest hop count and depth cuts cleanly.
  const seen = new Set<string>([start]);
  let frontier = [start];
  for (let d = 0; d < depth && frontier.length > 0; d++) {
    const following: string[] = [];
    for (const id of frontier) {
      for (const e of next.get(id) ?? []) {
        const to = direction === "downstream" ? e.target : e.source;
        edgeIds.add(e.id);
        nodeIds.add(to);
        if (!seen.has(to)) {
          seen.add(to);
          following.push(to);
        }
      }
    }
    frontier = following;
  }
}

/** The subgraph of `graph` holding the given node and edge ids, in the graph's order. */
export function subgraph<G extends LineageGraph>(
  graph: G,
  ids: { nodeIds: Set<string>; edgeIds: Set<string> },
): G {
  return {
    ...graph,
    nodes: graph.nodes.filter((n) => ids.nodeIds.has(n.id)),
    edges: graph.edges.filter((e) => ids.edgeIds.has(e.id)),
  };
}

/**
 * The graph without the nodes of `hidden` kinds, bridged: each shown node gets an edge to every
 * shown node it reached through hidden ones only (view -> feature -> service becomes view ->
 * service when features are hidden), so hiding a kind never cuts a path. Edges are deduplicated.
 */
export function foldKinds<G extends LineageGraph>(
  graph: G,
  hidden: ReadonlySet<LineageNodeKind>,
  /** Nodes kept whatever their kind (the node in focus). */
  keep: ReadonlySet<string> = new Set(),
): G {
  if (hidden.size === 0) return graph;
  const hiddenIds = new Set(
    graph.nodes.filter((n) => hidden.has(n.kind) && !keep.has(n.id)).map((n) => n.id),
  );
  if (hiddenIds.size === 0) return graph;
  const out = new Map<string, LineageEdge[]>();
  for (const e of graph.edges) {
    const list = out.get(e.source);
    if (list) list.push(e);
    else out.set(e.source, [e]);
  }
  // The shown nodes reached from a hidden node through hidden nodes only, memoized per hidden node.
  const through = new Map<string, string[]>();
  const reach = (id: string, onPath: Set<string>): string[] => {
    const known = through.get(id);
    if (known) return known;
    const found = new Set<string>();
    onPath.add(id);
    for (const e of out.get(id) ?? []) {
      if (!hiddenIds.has(e.target)) found.add(e.target);
      else if (!onPath.has(e.target)) for (const t of reach(e.target, onPath)) found.add(t);
    }
    onPath.delete(id);
    const list = [...found];
    through.set(id, list);
    return list;
  };
  const edges = new Map<string, LineageEdge>();
  for (const e of graph.edges) {
    if (hiddenIds.has(e.source)) continue;
    const targets = hiddenIds.has(e.target) ? reach(e.target, new Set()) : [e.target];
    for (const target of targets) {
      const id = lineageEdgeId(e.source, target);
      if (!edges.has(id)) edges.set(id, { id, source: e.source, target });
    }
  }
  return { ...graph, nodes: graph.nodes.filter((n) => !hiddenIds.has(n.id)), edges: [...edges.values()] };
}
