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
