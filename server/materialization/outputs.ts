import "server-only";
import { z } from "zod";
import { RUN_KINDS, RUN_LOG_LEVELS, RUN_STATUSES } from "../core/vocabulary";

/** A materialization run as operations answer it: these fields and no others. */
export const Run = z.object({
  id: z.string(),
  project: z.string(),
  featureView: z.string(),
  featureViewVersion: z.number(),
  kind: z.enum(RUN_KINDS),
  status: z.enum(RUN_STATUSES),
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
/** A run as operations answer it. */
export type Run = z.output<typeof Run>;

/** One entry of a run's log (run-log.ts). */
export const RunLogEntry = z.object({
  seq: z.number(),
  at: z.date(),
  level: z.enum(RUN_LOG_LEVELS),
  step: z.string(),
  message: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type RunLogEntry = z.output<typeof RunLogEntry>;
