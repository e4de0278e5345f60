import "server-only";
import { z } from "zod";
import { InvalidError } from "../core/errors";
import { defineOperation } from "../operations/define";
import { createRuns, resolveViews } from "./create-runs";
import * as out from "./outputs";
import type { Run } from "./run-row";
import { StartIncrementalMaterializationInput } from "./schemas";

const EPOCH = new Date(0);

/**
 * Queues one run per view from its watermark to endTs. A view never materialized starts at
 * endTs - ttl (the oldest value still servable), or at 1970 when its ttl is 0 (no limit).
 * The window is inclusive, so the row exactly at the watermark is read again: harmless, since an
 * equal event time rewrites the same value.
 */
export const startIncrementalMaterializationOp = defineOperation({
  name: "jobs.materializeIncremental",
  summary: "Queue one run per view from its watermark up to endTs; default: every online view.",
  kind: "mutation",
  writesRegistry: false,
  access: "jobs.run",
  input: StartIncrementalMaterializationInput,
  output: z.array(out.Run),
  doors: ["trpc", "rest", "cli"],
  run: async ({ ctx, input: { project, featureViews, endTs } }): Promise<Run[]> => {
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
  },
});
export const startIncrementalMaterialization = startIncrementalMaterializationOp.call;
