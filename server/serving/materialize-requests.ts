import "server-only";
import { z } from "zod";
import { DomainError, InvalidError, isDomainError } from "../core/errors";
import { Name } from "../core/name";
import { startIncrementalMaterialization, startMaterialization } from "../materialization";
import type { Run } from "../materialization/outputs";
import { defineOperation } from "../operations/define";
import { parseTimestamp } from "./values";

/**
 * Feast's materialize requests (snake_case, ISO times as strings) as operations of their own,
 * answering at once with the queued runs (Feast's server blocks until materialization ends). They
 * call the materialization services; times without a zone are UTC, as in Feast.
 */

const FeatureViews = z
  .array(Name)
  .min(1, "must not be empty; leave it out to materialize every view")
  .optional();

export const MaterializeRequest = z.object({
  start_ts: z.string(),
  end_ts: z.string(),
  feature_views: FeatureViews,
  project: Name.optional(),
});

export const MaterializeIncrementalRequest = z.object({
  end_ts: z.string(),
  feature_views: FeatureViews,
  project: Name.optional(),
});

export const QueuedRuns = z.object({
  runs: z.array(z.object({ id: z.string(), feature_view: z.string(), status: z.string() })),
});

export const materializeOp = defineOperation({
  name: "serving.materialize",
  summary: "Feast's materialize: queue one run per view loading the latest rows of [start_ts, end_ts].",
  kind: "mutation",
  writesRegistry: false,
  access: "jobs.run",
  project: "defaulted",
  input: MaterializeRequest,
  output: QueuedRuns,
  doors: ["rest"],
  rest: { path: "/api/v1/materialize", status: 202 },
  run: async ({ ctx, input: req, project }) => {
    const startTs = time(req.start_ts, "start_ts");
    const endTs = time(req.end_ts, "end_ts");
    if (startTs.getTime() > endTs.getTime())
      throw new InvalidError(`start_ts: ${req.start_ts} is after end_ts ${req.end_ts}`, "start_ts");
    const input = { project: project.name, featureViews: req.feature_views, startTs, endTs };
    return queued(() => startMaterialization({ ctx, input }));
  },
});

export const materializeIncrementalOp = defineOperation({
  name: "serving.materializeIncremental",
  summary: "Feast's materialize-incremental: queue one run per view from its watermark up to end_ts.",
  kind: "mutation",
  writesRegistry: false,
  access: "jobs.run",
  project: "defaulted",
  input: MaterializeIncrementalRequest,
  output: QueuedRuns,
  doors: ["rest"],
  rest: { path: "/api/v1/materialize-incremental", status: 202 },
  run: async ({ ctx, input: req, project }) => {
    const input = {
      project: project.name,
      featureViews: req.feature_views,
      endTs: time(req.end_ts, "end_ts"),
    };
    return queued(() => startIncrementalMaterialization({ ctx, input }));
  },
});

function time(value: string, field: string): Date {
  const d = parseTimestamp(value);
  if (!d) throw new InvalidError(`${field}: ${JSON.stringify(value)} is not an ISO-8601 time`, field);
  return d;
}

async function queued(start: () => Promise<Run[]>): Promise<z.input<typeof QueuedRuns>> {
  const runs = await feastFieldNames(start());
  return { runs: runs.map((run) => ({ id: run.id, feature_view: run.featureView, status: run.status })) };
}

const FEAST_NAMES: Record<string, string> = {
  featureViews: "feature_views",
  startTs: "start_ts",
  endTs: "end_ts",
  project: "project",
};

/**
 * The materialization services name their camelCase inputs; REST callers sent Feast's snake_case
 * names, so errors are renamed to match. A project or view the body names but the registry lacks
 * is the body's fault: 400, as in get-online-features.
 */
async function feastFieldNames<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (e) {
    if (!isDomainError(e) || !e.field) throw e;
    const [head = "", ...rest] = e.field.split(".");
    const renamed = FEAST_NAMES[head];
    if (!renamed) throw e;
    const field = [renamed, ...rest].join(".");
    const message = e.message.startsWith(`${e.field}:`)
      ? `${field}${e.message.slice(e.field.length)}`
      : e.message;
    if (e.code === "NOT_FOUND" || e.code === "INVALID") throw new InvalidError(message, field);
    throw new DomainError(e.code, message, field);
  }
}
