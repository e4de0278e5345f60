import "server-only";
import { z } from "zod";
import { CONSUMER_KINDS } from "../../core/vocabulary";
import { LINEAGE_KINDS } from "./types";

/** What lineage operations answer (server/registry/lineage.ts). */
export const LineageGraph = z.object({
  project: z.string(),
  nodes: z.array(
    z.object({
      id: z.string(),
      kind: z.enum(LINEAGE_KINDS),
      name: z.string(),
      label: z.string(),
      meta: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
    }),
  ),
  edges: z.array(z.object({ id: z.string(), source: z.string(), target: z.string() })),
});

const NodeCounts = z.object({
  upstream: z.number().int(),
  downstream: z.number().int(),
  hiddenUpstream: z.number().int(),
  hiddenDownstream: z.number().int(),
});

/** A bounded part of the graph (server/registry/lineage/explore.ts). */
export const LineageNeighborhood = LineageGraph.extend({
  focus: z.string(),
  truncated: z.boolean(),
  counts: z.record(z.string(), NodeCounts),
});

const TopNode = z.object({
  id: z.string(),
  kind: z.enum(LINEAGE_KINDS),
  name: z.string(),
  owner: z.string(),
  fanout: z.number().int(),
});

export const LineageOverview = z.object({
  summary: z.object({
    project: z.string(),
    counts: z.record(z.enum(LINEAGE_KINDS), z.number().int()),
    edges: z.number().int(),
    top: z.object({ sources: z.array(TopNode), views: z.array(TopNode), services: z.array(TopNode) }),
  }),
  /** Null when even the folded graph is bigger than `cap` nodes. */
  graph: LineageNeighborhood.nullable(),
  cap: z.number().int(),
});

export const LineageSearch = z.object({
  hits: z.array(
    z.object({ id: z.string(), kind: z.enum(LINEAGE_KINDS), name: z.string(), label: z.string() }),
  ),
});

export const FeatureConsumers = z.object({
  featureView: z.string(),
  feature: z.string(),
  featureServices: z.array(z.object({ name: z.string(), owner: z.string() })),
  consumers: z.array(
    z.object({
      name: z.string(),
      kind: z.enum(CONSUMER_KINDS),
      owner: z.string(),
      via: z.array(z.string()),
    }),
  ),
});
