import "server-only";
import type { Ctx } from "../core/context";
import { InvalidError } from "../core/errors";
import { parseInput } from "../core/parse-input";
import { createRuns, resolveViews } from "./create-runs";
import type { Run } from "./run-row";
import { StartIncrementalMaterializationInput } from "./schemas";

const EPOCH = new Date(0);

/**
 * Queues one run per view from its watermark to endTs. A view never materialized starts at
 * endTs - ttl (the oldest value still servable), or at 1970 when its ttl is 0 (no limit).
 * The window is inclusive, so the row exactly at the watermark is read again: harmless, since an
 * equal event time rewrites the same value.
 */
export async function startIncrementalMaterialization({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: StartIncrementalMaterializationInput;
}): Promise<Run[]> {
  const { project, featureViews, endTs } = parseInput(StartIncrementalMaterializationInput, input);
  const views = await resolveViews(ctx, project, featureViews);
  const planned = views.map((view) => {
    const startTs =
      view.materializedUntil ??
      (view.ttlSeconds > 0 ? new Date(endTs.getTime() - view.ttlSeconds * 1000) : EPOCH);
    if (startTs.getTime() > endTs.getTime())
      throw new InvalidError(
        `endTs: feature view "${view.name}" is already materialized until ${startTs.toISOString()}, after ${endTs.toISOString()}`,
        "endTs",
      );
    return { view, startTs, endTs };
  });
  return createRuns(ctx, project, "incremental", planned);
}
