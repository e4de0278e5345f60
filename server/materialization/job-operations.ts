import "server-only";
import { z } from "zod";
import { probeProjectSources } from "../freshness/probe-sources";
import { defineOperation } from "../operations/define";
import { Run } from "./outputs";
import { runMaterialization } from "./run-materialization";

/**
 * The job queue's doors (server/materialization/queue.ts): what a pg-boss job does is an operation
 * like any other, reached only by Quiver's own worker ("trusted": never a door caller).
 */

export const executeRunOp = defineOperation({
  name: "jobs.execute",
  summary: "Run one queued materialization run: read its window offline, write the online store.",
  kind: "mutation",
  writesRegistry: false,
  access: "trusted",
  input: z.object({
    runId: z.uuid(),
    /** Rows per source fetch and per online write. */
    batchSize: z.number().int().positive().optional(),
    heartbeatTimeoutSeconds: z.number().int().positive().optional(),
    /** The queue will not retry after this attempt: a failure ends the run as failed. */
    lastAttempt: z.boolean().default(false),
  }),
  output: Run,
  doors: ["job"],
  run: ({ ctx, input: { runId, ...opts } }) => runMaterialization(ctx, runId, opts),
});

export const probeSourcesOp = defineOperation({
  name: "freshness.probe",
  summary: "Probe a project's data sources for their newest event time (the freshness board's input).",
  kind: "mutation",
  writesRegistry: false,
  access: "trusted",
  input: z.object({ projectId: z.uuid() }),
  output: z.object({ sources: z.number() }),
  doors: ["job"],
  run: async ({ ctx, input: { projectId } }) => ({ sources: await probeProjectSources(ctx, projectId) }),
});
