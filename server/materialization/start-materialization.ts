import "server-only";
import type { Ctx } from "../core/context";
import { InvalidError } from "../core/errors";
import { parseInput } from "../core/parse-input";
import { createRuns, resolveViews } from "./create-runs";
import type { Run } from "./run-row";
import { StartMaterializationInput } from "./schemas";

/**
 * Queues one run per view over [startTs, endTs] (both inclusive) and returns the queued rows.
 * Default views: every online view of the project.
 */
export async function startMaterialization({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: StartMaterializationInput;
}): Promise<Run[]> {
  const { project, featureViews, startTs, endTs } = parseInput(StartMaterializationInput, input);
  if (startTs.getTime() > endTs.getTime())
    throw new InvalidError(
      `startTs: the window start ${startTs.toISOString()} is after its end ${endTs.toISOString()}`,
      "startTs",
    );
  const views = await resolveViews(ctx, project, featureViews);
  return createRuns(
    ctx,
    project,
    "range",
    views.map((view) => ({ view, startTs, endTs })),
  );
}
