import "server-only";
import { z } from "zod";
import { InvalidError } from "../core/errors";
import { defineOperation } from "../operations/define";
import { createRuns, resolveViews } from "./create-runs";
import * as out from "./outputs";
import type { Run } from "./run-row";
import { StartMaterializationInput } from "./schemas";

/**
 * Queues one run per view over [startTs, endTs] (both inclusive) and returns the queued rows.
 * Default views: every online view of the project.
 */
export const startMaterializationOp = defineOperation({
  name: "jobs.materialize",
  summary: "Queue one run per view over [startTs, endTs]; default: every online view of the project.",
  kind: "mutation",
  writesRegistry: false,
  access: "jobs.run",
  input: StartMaterializationInput,
  output: z.array(out.Run),
  doors: ["trpc", "rest", "cli"],
  run: async ({ ctx, input: { project, featureViews, startTs, endTs } }): Promise<Run[]> => {
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
  },
});
export const startMaterialization = startMaterializationOp.call;
