import "server-only";
import { z } from "zod";
import { FRESHNESS_STATES } from "./state";

/** A view's freshness as getFreshness answers it. */
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
  status: z.enum(FRESHNESS_STATES),
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
