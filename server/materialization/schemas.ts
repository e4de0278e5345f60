import "server-only";
import { z } from "zod";
import { Name } from "../core/name";
import { RUN_STATUSES, RUN_WINDOWS, type RunWindow } from "../core/vocabulary";

/** Inputs of the materialization services, shared by every door (tRPC, REST, CLI). */

const Timestamp = z.coerce.date().refine((d) => !Number.isNaN(d.getTime()), "must be a valid time");

/** Named views (default: every online view of the project); duplicates are ignored. */
const FeatureViewNames = z.array(Name).max(1000).optional();

export const StartMaterializationInput = z.object({
  project: Name,
  featureViews: FeatureViewNames,
  startTs: Timestamp,
  endTs: Timestamp,
});
export type StartMaterializationInput = z.input<typeof StartMaterializationInput>;

export const StartIncrementalMaterializationInput = z.object({
  project: Name,
  featureViews: FeatureViewNames,
  endTs: Timestamp,
});
export type StartIncrementalMaterializationInput = z.input<typeof StartIncrementalMaterializationInput>;

export const ListRunsInput = z.object({
  project: Name,
  featureView: Name.optional(),
  /** Only runs in this status. */
  status: z.enum(RUN_STATUSES).optional(),
  /** Only runs created within this window back from now (the server's clock, so pages agree). */
  within: z.enum(Object.keys(RUN_WINDOWS) as [RunWindow, ...RunWindow[]]).optional(),
  limit: z.number().int().min(1).max(500).default(50),
});
export type ListRunsInput = z.input<typeof ListRunsInput>;

export const GetRunInput = z.object({ project: Name, runId: z.string().uuid("must be a run id (uuid)") });
export type GetRunInput = z.input<typeof GetRunInput>;
