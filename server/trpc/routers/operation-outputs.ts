import "server-only";
import { z } from "zod";
import { LINEAGE_KINDS } from "../../registry/lineage/types";

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
      kind: z.enum(["model", "service"]),
      owner: z.string(),
      via: z.array(z.string()),
    }),
  ),
});

export const Run = z.object({
  id: z.string(),
  project: z.string(),
  featureView: z.string(),
  featureViewVersion: z.number(),
  kind: z.enum(["range", "incremental"]),
  status: z.enum(["queued", "running", "retrying", "succeeded", "failed", "cancelled"]),
  startTs: z.date(),
  endTs: z.date(),
  rowsRead: z.number(),
  rowsWritten: z.number(),
  attempts: z.number(),
  error: z.string().nullable(),
  triggeredBy: z.string(),
  createdAt: z.date(),
  startedAt: z.date().nullable(),
  heartbeatAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
  /** The run this one retries, and the run that retries this one. */
  retryOf: z.string().nullable(),
  retriedBy: z.string().nullable(),
});

export const ViewFreshness = z.object({
  featureView: z.string(),
  online: z.boolean(),
  slaSeconds: z.number().nullable(),
  newestSourceEvent: z.date().nullable(),
  probe: z.object({
    status: z.enum(["ok", "timeout", "error", "pending"]),
    probedAt: z.date().nullable(),
    rowCount: z.number().nullable(),
    error: z.string().nullable(),
  }),
  watermark: z.date().nullable(),
  lagSeconds: z.number().nullable(),
  backlogSeconds: z.number().nullable(),
  status: z.enum(["met", "breached", "no_sla", "never_materialized"]),
  lastRun: z
    .object({
      id: z.string(),
      status: z.string(),
      finishedAt: z.date().nullable(),
      createdAt: z.date(),
      error: z.string().nullable(),
    })
    .nullable(),
});
