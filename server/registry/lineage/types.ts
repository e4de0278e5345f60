/**
 * The lineage graph as the server builds it and the client draws it. Plain TypeScript with no
 * imports, so server services and client components share one definition.
 */

/**
 * Node kinds in column order, left to right: where data comes from to who reads it. A
 * transformation sits between the sources it reads and the source it writes; an on-demand view
 * after the features it reads, its own features after it (the layout places a node right of
 * everything upstream of it, components/lineage/layout.ts).
 */
export const LINEAGE_KINDS = [
  "source",
  "transformation",
  "entity",
  "feature_view",
  "stream_view",
  "feature",
  "on_demand_view",
  "feature_service",
  "dataset",
  "consumer",
] as const;
export type LineageNodeKind = (typeof LINEAGE_KINDS)[number];

export type LineageDirection = "upstream" | "downstream" | "both";

/** Small, display-only facts about a node (owner, dtype, version ...). */
export type LineageMeta = Record<string, string | number | boolean | null>;

export interface LineageNode {
  /**
   * Stable and readable: `kind:name`, or `feature:view:feature` for features (of feature views,
   * stream views and on-demand views alike: the three share one namespace of view names).
   */
  id: string;
  kind: LineageNodeKind;
  /** The registry object's own name (a feature's name without its view). */
  name: string;
  /** What the graph shows on the node. */
  label: string;
  meta: LineageMeta;
}

export interface LineageEdge {
  /** `source->target`. */
  id: string;
  source: string;
  target: string;
}

export interface LineageGraph {
  project: string;
  nodes: LineageNode[];
  edges: LineageEdge[];
}

/** The node id of a registry object. Names cannot hold ":" (see NAME_PATTERN), so ids never collide. */
export function lineageNodeId(kind: Exclude<LineageNodeKind, "feature">, name: string): string;
export function lineageNodeId(kind: "feature", view: string, feature: string): string;
export function lineageNodeId(kind: LineageNodeKind, ...parts: string[]): string {
  return [kind, ...parts].join(":");
}

export function lineageEdgeId(source: string, target: string): string {
  return `${source}->${target}`;
}
