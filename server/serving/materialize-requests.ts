import "server-only";
import { z } from "zod";
import { InvalidError } from "../core/errors";
import { Name } from "../core/name";
import { parseInput } from "../core/parse-input";
import { env } from "../env";
import { parseTimestamp } from "./values";

/**
 * Feast's materialize request bodies (snake_case, ISO times as strings) turned into the inputs of
 * the materialization services. Times without a zone are UTC, as in Feast.
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

export interface MaterializeInput {
  project: string;
  featureViews?: string[];
  startTs: Date;
  endTs: Date;
}

export type MaterializeIncrementalInput = Omit<MaterializeInput, "startTs">;

export function parseMaterializeRequest(body: unknown): MaterializeInput {
  const req = parseInput(MaterializeRequest, body);
  const startTs = time(req.start_ts, "start_ts");
  const endTs = time(req.end_ts, "end_ts");
  if (startTs.getTime() > endTs.getTime())
    throw new InvalidError(`start_ts: ${req.start_ts} is after end_ts ${req.end_ts}`, "start_ts");
  return {
    project: req.project ?? env().QUIVER_DEFAULT_PROJECT,
    featureViews: req.feature_views,
    startTs,
    endTs,
  };
}

export function parseMaterializeIncrementalRequest(body: unknown): MaterializeIncrementalInput {
  const req = parseInput(MaterializeIncrementalRequest, body);
  return {
    project: req.project ?? env().QUIVER_DEFAULT_PROJECT,
    featureViews: req.feature_views,
    endTs: time(req.end_ts, "end_ts"),
  };
}

function time(value: string, field: string): Date {
  const d = parseTimestamp(value);
  if (!d) throw new InvalidError(`${field}: ${JSON.stringify(value)} is not an ISO-8601 time`, field);
  return d;
}
