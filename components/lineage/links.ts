import { href, type ObjectKind, objectHref } from "@/components/catalog/links";
import {
  LINEAGE_KINDS,
  type LineageDirection,
  type LineageNode,
  type LineageNodeKind,
} from "@/server/registry/lineage/types";

/**
 * Lineage URLs: a node's object page, and the lineage page's own state in its search params
 * (`?focus=<node id>&dir=upstream|downstream|both&kinds=source,feature_view,...`), so a focused,
 * filtered view can be shared and back/forward walk through focuses. Pure.
 */

const OBJECT_KIND: Record<LineageNodeKind, ObjectKind> = {
  source: "source",
  transformation: "transformation",
  entity: "entity",
  feature_view: "view",
  stream_view: "stream_view",
  feature: "feature",
  on_demand_view: "on_demand_view",
  feature_service: "service",
  dataset: "dataset",
  consumer: "consumer",
};

/**
 * The object page of a lineage node (a feature's name there is "view:feature"). Features of stream
 * and on-demand views have no page of their own: their view's page lists them.
 */
export function lineageNodeHref(project: string, node: Pick<LineageNode, "kind" | "name" | "meta">): string {
  if (node.kind === "feature" && typeof node.meta.featureView === "string") {
    if (node.meta.viewKind === "stream_view" || node.meta.viewKind === "on_demand_view")
      return objectHref(project, node.meta.viewKind, node.meta.featureView);
    return objectHref(project, "feature", `${node.meta.featureView}:${node.name}`);
  }
  return objectHref(project, OBJECT_KIND[node.kind], node.name);
}

/** The lineage node id of an object page's object: `feature_view:x`, `feature:view:f` ... */
export function lineageIdOf(kind: ObjectKind, name: string): string {
  const entry = Object.entries(OBJECT_KIND).find(([, k]) => k === kind);
  return `${entry?.[0] ?? kind}:${name}`;
}

export interface LineageUrlState {
  focus?: string;
  dir: LineageDirection;
  /** The kinds shown; every kind when the parameter is absent. */
  kinds: LineageNodeKind[];
}

const DIRECTIONS: readonly LineageDirection[] = ["both", "upstream", "downstream"];

export function parseLineageUrl(params: { get(name: string): string | null }): LineageUrlState {
  const focus = params.get("focus")?.trim() || undefined;
  const rawDir = params.get("dir");
  const dir = DIRECTIONS.find((d) => d === rawDir) ?? "both";
  const rawKinds = params.get("kinds");
  const kinds =
    rawKinds === null
      ? [...LINEAGE_KINDS]
      : LINEAGE_KINDS.filter((k) => rawKinds.split(",").some((part) => part.trim() === k));
  return { focus, dir, kinds };
}

/** The search string of a state, leaving out defaults (both directions, every kind). */
export function lineageSearch(state: Partial<LineageUrlState>): string {
  const q = new URLSearchParams();
  if (state.focus) q.set("focus", state.focus);
  if (state.dir && state.dir !== "both") q.set("dir", state.dir);
  if (state.kinds && state.kinds.length < LINEAGE_KINDS.length)
    q.set("kinds", LINEAGE_KINDS.filter((k) => state.kinds?.includes(k)).join(","));
  const s = q.toString();
  return s ? `?${s}` : "";
}

export function lineagePageHref(project: string, state: Partial<LineageUrlState> = {}): string {
  return `${href.lineage(project)}${lineageSearch(state)}`;
}
